using AlertBot.Core.Diagnostics;
using AlertBot.Core.Pipeline;
using AlertBot.Worker.Hosting;
using AlertBot.Worker.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Worker.Tests;

/// <summary>One line per period instead of one per poll: Information on time, Warning when polls fell behind.</summary>
public sealed class PollSummaryServiceTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<PollSummaryService> _logger = new();
    private readonly PollActivity _activity;

    public PollSummaryServiceTests() => _activity = new PollActivity(_clock);

    private PollSummaryService CreateSut() =>
        new(_activity, Options.Create(new LoggingOptions { SummaryInterval = TimeSpan.FromMinutes(5) }), _clock, _logger);

    [Fact]
    public async Task Each_period_is_one_line_counting_the_polls_and_a_late_period_is_a_warning_naming_the_worst()
    {
        using var sut = CreateSut();
        await sut.StartAsync(CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            _activity.Record(new PollOutcome(i, PollStatus.NotModified, 0, 0, 0));
        }

        _activity.Record(new PollOutcome(9, PollStatus.Polled, 20, 2, 1));
        var first = await NextRecordAsync(1);
        Assert.Equal(LogLevel.Information, first.Level);
        Assert.Matches(@"^Polls in the last [0-9.]+ min: 4 \(3 not modified, 1 changed", first.Message);
        Assert.Contains("2 new items, 1 alerts queued; all on time", first.Message, StringComparison.Ordinal);

        _activity.Record(new PollOutcome(1, PollStatus.NotModified, 0, 0, 0));
        _activity.RecordLate("feed-7", TimeSpan.FromSeconds(75));
        var second = await NextRecordAsync(2);
        Assert.Equal(LogLevel.Warning, second.Level);
        Assert.Contains("1 late and 0 missed", second.Message, StringComparison.Ordinal);
        Assert.Contains("worst feed-7 75 s late", second.Message, StringComparison.Ordinal);

        Assert.Equal(2, _logger.Collector.Count);
        await sut.StopAsync(CancellationToken.None);
    }

    /// <summary>Moves the clock on a minute at a time until the next summary line is there.</summary>
    private async Task<FakeLogRecord> NextRecordAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (_logger.Collector.Count < count)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(10, timeout.Token);
        }

        return _logger.Collector.GetSnapshot()[count - 1];
    }
}
