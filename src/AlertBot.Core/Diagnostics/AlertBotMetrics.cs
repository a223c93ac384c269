using System.Diagnostics.Metrics;
using AlertBot.Core.Channels;
using AlertBot.Core.Feeds;
using AlertBot.Core.Pipeline;

namespace AlertBot.Core.Diagnostics;

/// <summary>
/// The pipeline's instruments, on the meter <see cref="MeterName"/>: what an operator graphs and alerts on
/// (the worker exports them in Prometheus format on /metrics).
/// </summary>
/// <remarks>
/// Labels come from small fixed sets only (poll status, error kind, platform), never from feeds or channels: with
/// thousands of feeds a per-feed label would exceed the exporter's series limit and make /metrics megabytes long.
/// Every series of those sets exists from the start at zero (<see cref="ReportZeros"/>), so a rate or an alert rule
/// sees 0 rather than no data until the first event.
/// </remarks>
public sealed class AlertBotMetrics
{
    public const string MeterName = "AlertBot";

    /// <summary>Poll durations in seconds: a 304 from a near server takes milliseconds, a slow feed tens of seconds.</summary>
    internal static readonly IReadOnlyList<double> PollDurationBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly string[] PlatformNames = [Platforms.Telegram, Platforms.Discord, Platforms.Console];
    private static readonly string[] FailureOutcomes = ["retry", "unknown", "undeliverable"];

    private readonly Counter<long> _polls;
    private readonly Counter<long> _pollsLate;
    private readonly Counter<long> _pollsMissed;
    private readonly Counter<long> _itemsFetched;
    private readonly Counter<long> _feedErrors;
    private readonly Counter<long> _matches;
    private readonly Counter<long> _alertsQueued;
    private readonly Counter<long> _alertsDelivered;
    private readonly Counter<long> _alertsFailed;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _unknownOutcomes;
    private readonly Counter<long> _parked;
    private readonly Counter<long> _regexTimeouts;
    private readonly Counter<long> _pruned;
    private readonly Histogram<double> _pollDuration;
    private long _oldestPendingTicks;

    public AlertBotMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _polls = meter.CreateCounter<long>("alertbot.polls", "{poll}", "Feed polls by outcome");
        _pollsLate = meter.CreateCounter<long>(
            "alertbot.polls.late", "{poll}", "Polls that started later than a tenth of their feed's interval after their time");
        _pollsMissed = meter.CreateCounter<long>(
            "alertbot.polls.missed", "{poll}", "Poll times the scheduler could not keep at all (misfires); the poll then runs at once");
        _itemsFetched = meter.CreateCounter<long>("alertbot.items.fetched", "{item}", "Items read from feeds");
        _feedErrors = meter.CreateCounter<long>("alertbot.feed.errors", "{error}", "Failed feed polls");
        _matches = meter.CreateCounter<long>("alertbot.matches", "{match}", "Items that matched at least one channel's watchlist");
        _alertsQueued = meter.CreateCounter<long>("alertbot.alerts.queued", "{alert}", "Alerts written to the outbox");
        _alertsDelivered = meter.CreateCounter<long>("alertbot.alerts.delivered", "{alert}", "Alerts the platform accepted");
        _alertsFailed = meter.CreateCounter<long>("alertbot.alerts.failed", "{attempt}", "Send attempts that will be retried, or closed as undeliverable");
        _unknownOutcomes = meter.CreateCounter<long>(
            "alertbot.alerts.unknown_outcome", "{attempt}", "Sends whose answer was lost: the platform may or may not have posted them");
        _parked = meter.CreateCounter<long>(
            "alertbot.alerts.parked", "{alert}", "Alerts set aside after failing repeatedly for a reason of their own; re-queue with 'alertbot outbox requeue'");
        _regexTimeouts = meter.CreateCounter<long>(
            "alertbot.matching.regex_timeouts", "{run}", "Regex terms that ran out of their time budget on an item (the item is matched again next poll)");
        _pruned = meter.CreateCounter<long>("alertbot.retention.pruned", "{row}", "Rows retention deleted, by table (seen_items, outbox)");
        _rateLimited = meter.CreateCounter<long>("alertbot.rate_limited", "{response}", "Sends the platform told to wait (429)");
        _pollDuration = meter.CreateHistogram(
            "alertbot.poll.duration", "s", "Time to poll one feed, fetch to commit",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PollDurationBuckets });
        meter.CreateObservableGauge(
            "alertbot.outbox.oldest_age", () => TimeSpan.FromTicks(Interlocked.Read(ref _oldestPendingTicks)).TotalSeconds, "s",
            "Age of the oldest alert still waiting in the outbox, as of the last delivery pass");
        ReportZeros();
    }

    /// <summary>
    /// Puts every counter series at zero. Called when the metrics are created and again once the exporter listens
    /// (a measurement made before any listener is not kept); adding zero never changes a count.
    /// </summary>
    public void ReportZeros()
    {
        foreach (var status in Enum.GetNames<PollStatus>())
        {
            _polls.Add(0, Tag("status", status));
        }

        foreach (var kind in Enum.GetNames<FeedErrorKind>())
        {
            _feedErrors.Add(0, Tag("kind", kind));
        }

        _pollsLate.Add(0);
        _regexTimeouts.Add(0);
        _pruned.Add(0, Tag("table", "seen_items"));
        _pruned.Add(0, Tag("table", "outbox"));
        _pollsMissed.Add(0);
        _itemsFetched.Add(0);
        _matches.Add(0);
        _alertsQueued.Add(0);
        foreach (var platform in PlatformNames)
        {
            _alertsDelivered.Add(0, Tag("platform", platform));
            _unknownOutcomes.Add(0, Tag("platform", platform));
            _parked.Add(0, Tag("platform", platform));
            _rateLimited.Add(0, Tag("platform", platform));
            foreach (var outcome in FailureOutcomes)
            {
                _alertsFailed.Add(0, Tag("platform", platform), Tag("outcome", outcome));
            }
        }
    }

    public void Polled(PollStatus status) => _polls.Add(1, Tag("status", status.ToString()));

    public void PollLate() => _pollsLate.Add(1);

    public void PollMissed() => _pollsMissed.Add(1);

    public void ItemsFetched(long count) => _itemsFetched.Add(count);

    public void FeedError(string kind) => _feedErrors.Add(1, Tag("kind", kind));

    public void Matched(long count) => _matches.Add(count);

    public void RegexTimedOut(long count) => _regexTimeouts.Add(count);

    public void Pruned(long seenItems, long outboxRows)
    {
        _pruned.Add(seenItems, Tag("table", "seen_items"));
        _pruned.Add(outboxRows, Tag("table", "outbox"));
    }

    public void AlertsQueued(long count) => _alertsQueued.Add(count);

    public void AlertDelivered(string platform) => _alertsDelivered.Add(1, Tag("platform", platform));

    public void AlertFailed(string platform, string outcome) => _alertsFailed.Add(1, Tag("platform", platform), Tag("outcome", outcome));

    public void UnknownOutcome(string platform) => _unknownOutcomes.Add(1, Tag("platform", platform));

    public void AlertParked(string platform) => _parked.Add(1, Tag("platform", platform));

    public void RateLimited(string platform) => _rateLimited.Add(1, Tag("platform", platform));

    public void PollDuration(TimeSpan duration, string status) => _pollDuration.Record(duration.TotalSeconds, Tag("status", status));

    public void OldestPending(TimeSpan age) => Interlocked.Exchange(ref _oldestPendingTicks, Math.Max(0, age.Ticks));

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}
