using AlertBot.Core.Diagnostics;
using AlertBot.Core.Items;
using AlertBot.Core.Matching;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Watchlists;
using AlertBot.Testing.Fakes;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Core.Tests.Matching;

/// <summary>
/// A regex term that runs out of its time budget is never a quiet "no match": the result says which regex did not
/// finish, and the reporter counts every time-out and logs each term once per period. The budget is injected tiny
/// here; the default is sized so that it is never reached (bench/regex-under-load.sh shows it on a saturated machine).
/// </summary>
public sealed class RegexBudgetTests
{
    private const string Regex = @"/houthi\w*/i";

    // Long enough that a scan takes many milliseconds on any machine; a tick of budget is long gone by the first check.
    private static readonly string LongText = string.Concat(Enumerable.Repeat("word ", 2_000_000)) + "The Houthiyeen said.";

    private static CompiledMatcher CreateSut(TimeSpan? budget) =>
        CompiledMatcher.Build([new MatchRule(1, Regex), new MatchRule(2, "said")], ActorDictionary.Empty, out _, budget);

    [Fact]
    public void With_the_default_budget_the_regex_finds_its_hit_and_the_result_is_complete()
    {
        var result = CreateSut(null).Match(new NewsItem { Id = "x", Title = "", Text = "The Houthiyeen said" });

        Assert.True(result.IsComplete);
        Assert.Equal("Houthiyeen", Assert.Single(result.For(1)).MatchedText);
        Assert.Equal(WatchQuery.DefaultRegexTimeout, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_regex_that_runs_out_of_budget_is_named_in_the_result_and_other_terms_still_match()
    {
        var result = CreateSut(TimeSpan.FromTicks(1)).Match(new NewsItem { Id = "x", Title = "", Text = LongText });

        Assert.False(result.IsComplete);
        Assert.Equal([Regex], result.TimedOut);
        Assert.NotEmpty(result.For(2)); // the plain term is not affected
    }

    [Fact]
    public void Every_time_out_is_counted_and_each_term_is_logged_once_per_period()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        using var counted = new MetricCollector<long>(meterFactory, AlertBotMetrics.MeterName, "alertbot.matching.regex_timeouts");
        var logs = new RecordingLogger();
        var sut = new RegexTimeoutReporter(
            new AlertBotMetrics(meterFactory), time, Options.Create(new MatchingOptions()), new RecordingLogger<RegexTimeoutReporter>(logs));

        sut.Report([Regex], "feed 1");
        sut.Report([Regex, "/other/"], "feed 2");
        time.Advance(RegexTimeoutReporter.Period - TimeSpan.FromSeconds(1));
        sut.Report([Regex], "feed 1");
        time.Advance(TimeSpan.FromSeconds(1));
        sut.Report([Regex], "feed 3");

        Assert.Equal(5, counted.GetMeasurementSnapshot().Sum(m => m.Value));
        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.Contains(Regex, warnings[0], StringComparison.Ordinal);
        Assert.Contains("/other/", warnings[1], StringComparison.Ordinal);
        Assert.Contains("feed 3", warnings[2], StringComparison.Ordinal);
        Assert.Contains("3 time-out(s)", warnings[2], StringComparison.Ordinal); // the two hidden ones and this one
    }
}
