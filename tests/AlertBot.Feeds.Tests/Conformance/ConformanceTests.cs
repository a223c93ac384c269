using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace AlertBot.Feeds.Tests.Conformance;

/// <summary>
/// Runs AlertBot's parser over feedparser's conformance cases. Every applicable case that passes today must keep
/// passing (the theory); the overall pass rate is a ratchet that may rise, never fall (the summary).
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    /// <summary>The pass rate over applicable cases reached when this was last raised, rounded down to a percent.</summary>
    private const double Ratchet = 0.90;

    /// <summary>Cases that test a feedparser convention AlertBot's model deliberately does not have.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotApplicable = new Dictionary<string, string>
    {
    };

    /// <summary>Applicable cases we fail today; they count against the pass rate. Each says why.</summary>
    public static readonly IReadOnlyDictionary<string, string> KnownGaps = new Dictionary<string, string>
    {
    };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceCases.All)
        {
            data.Add(c.File);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_matches_feedparser(string file)
    {
        var testCase = ConformanceCases.Get(file);
        var checks = ConformanceCases.Evaluate(testCase);
        foreach (var check in checks.Where(c => !c.Passed))
        {
            output.WriteLine($"{check.Path}: expected «{check.Expected}» got «{check.Actual}»");
        }

        if (NotApplicable.ContainsKey(file) || KnownGaps.ContainsKey(file))
        {
            return;
        }

        Assert.All(checks, c => Assert.True(c.Passed, $"{c.Path}: expected «{c.Expected}» got «{c.Actual}»"));
    }

    [Fact]
    public void Exclusion_tables_name_real_cases_once()
    {
        var files = ConformanceCases.All.Select(c => c.File).ToHashSet();
        Assert.All(NotApplicable.Keys.Concat(KnownGaps.Keys), f => Assert.Contains(f, files));
        Assert.Empty(NotApplicable.Keys.Intersect(KnownGaps.Keys));
        Assert.All(NotApplicable.Values.Concat(KnownGaps.Values), reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
    }

    [Fact]
    public void Pass_rate_over_applicable_cases_does_not_fall()
    {
        var rows = ConformanceCases.All
            .Select(c => (c.Folder, c.File, Applicable: !NotApplicable.ContainsKey(c.File),
                Passed: ConformanceCases.Evaluate(c).All(k => k.Passed)))
            .ToList();

        var table = new StringBuilder();
        table.AppendLine("| Folder | Cases | Not applicable | Passed | Pass rate |");
        table.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var folder in rows.GroupBy(r => r.Folder).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            AppendRow(table, folder.Key, folder.ToList());
        }

        AppendRow(table, "**all**", rows);
        output.WriteLine(table.ToString());
        foreach (var failed in rows.Where(r => r.Applicable && !r.Passed))
        {
            output.WriteLine("failing: " + failed.File);
        }

        var applicable = rows.Where(r => r.Applicable).ToList();
        var rate = (double)applicable.Count(r => r.Passed) / applicable.Count;
        Assert.True(rate >= Ratchet, $"pass rate {rate:P1} fell below the ratchet {Ratchet:P0}");
    }

    private static void AppendRow(StringBuilder table, string name, List<(string Folder, string File, bool Applicable, bool Passed)> rows)
    {
        var applicable = rows.Count(r => r.Applicable);
        var passed = rows.Count(r => r.Applicable && r.Passed);
        var rate = applicable == 0 ? "n/a" : ((double)passed / applicable).ToString("P1", CultureInfo.InvariantCulture);
        table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {rows.Count} | {rows.Count - applicable} | {passed} | {rate} |");
    }
}
