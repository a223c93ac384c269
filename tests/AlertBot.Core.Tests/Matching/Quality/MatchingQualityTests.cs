using System.Globalization;
using System.Text;
using System.Text.Json;
using AlertBot.Core.Matching;
using Xunit.Abstractions;

namespace AlertBot.Core.Tests.Matching.Quality;

/// <summary>
/// The matcher against labelled-sentences.jsonl: sentences written for the purpose, each with the watch terms a news
/// reader would expect it to match (every other term must not). Labels were written by hand; when the matcher
/// disagrees, the matcher or the alias dictionary is what gets fixed.
/// </summary>
public sealed class MatchingQualityTests(ITestOutputHelper output)
{
    private const double Threshold = 0.99;

    /// <summary>The terms the set is labelled for, written as a user would add them.</summary>
    private static readonly string[] Terms =
    [
        "Qaani", "Houthis", "Red Sea", "Iran", "Iraq", "Israel", "Hezbollah", "Kataib Hezbollah", "IRGC", "Quds Force",
        "Hamas", "Popular Mobilization Forces", "Araghchi",
    ];

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    [Fact]
    public void Precision_and_recall_are_at_least_99_percent_for_every_term()
    {
        var set = LoadSet();
        var matcher = CompiledMatcher.Build(Terms.Select((term, i) => new MatchRule(i, term)), ShippedFiles.Actors, out var faults);
        Assert.Empty(faults);

        var counts = Terms.ToDictionary(t => t, _ => (Tp: 0, Fp: 0, Fn: 0));
        var mistakes = new StringBuilder();
        foreach (var sentence in set)
        {
            var matches = matcher.MatchText(sentence.Text);
            for (var i = 0; i < Terms.Length; i++)
            {
                var term = Terms[i];
                var expected = sentence.Match.Contains(term);
                var actual = matches.For(i).Count > 0;
                var (tp, fp, fn) = counts[term];
                counts[term] = (tp + (expected && actual ? 1 : 0), fp + (!expected && actual ? 1 : 0), fn + (expected && !actual ? 1 : 0));
                if (expected != actual)
                {
                    mistakes.AppendLine(CultureInfo.InvariantCulture, $"  {(actual ? "false hit" : "missed")} {term}: {sentence.Text}");
                }
            }
        }

        output.WriteLine($"{set.Count} sentences, {Terms.Length} terms");
        output.WriteLine($"{"term",-28} {"pos",4} {"TP",4} {"FP",4} {"FN",4} {"precision",9} {"recall",7}");
        var failing = new List<string>();
        foreach (var term in Terms)
        {
            var (tp, fp, fn) = counts[term];
            var precision = tp + fp == 0 ? 1 : (double)tp / (tp + fp);
            var recall = tp + fn == 0 ? 1 : (double)tp / (tp + fn);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{term,-28} {tp + fn,4} {tp,4} {fp,4} {fn,4} {precision,9:0.000} {recall,7:0.000}"));
            if (precision < Threshold || recall < Threshold)
            {
                failing.Add(term);
            }
        }

        output.WriteLine(mistakes.Length == 0 ? "No mistakes." : "Mistakes:\n" + mistakes);
        Assert.True(failing.Count == 0, $"Below {Threshold:0.00} for {string.Join(", ", failing)}:\n{mistakes}");
    }

    [Fact]
    public void The_set_is_large_and_labelled_only_with_watched_terms()
    {
        var set = LoadSet();

        // 257 before descriptions, generated forms and demonyms; 70 sentences of those classes added, over half negatives.
        Assert.True(set.Count >= 327, $"only {set.Count} sentences");
        Assert.All(set, s => Assert.All(s.Match, term => Assert.Contains(term, Terms)));
        Assert.All(Terms, term => Assert.True(set.Count(s => s.Match.Contains(term)) >= 8, $"too few positives for {term}"));
        Assert.Equal(set.Count, set.Select(s => s.Text).Distinct().Count());
    }

    internal static List<LabelledSentence> LoadSet()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Matching", "Quality", "labelled-sentences.jsonl");
        return [.. File.ReadLines(path)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(line => JsonSerializer.Deserialize<LabelledSentence>(line, JsonOptions)!)];
    }

    internal sealed record LabelledSentence(string Text, IReadOnlyList<string> Match, string? Note);
}
