using System.Diagnostics.Metrics;

namespace AlertBot.Core.Diagnostics;

/// <summary>
/// The pipeline's instruments, on the meter <see cref="MeterName"/>: what an operator graphs and alerts on
/// (the worker exports them in Prometheus format on /metrics).
/// </summary>
public sealed class AlertBotMetrics
{
    public const string MeterName = "AlertBot";

    private readonly Counter<long> _itemsFetched;
    private readonly Counter<long> _feedErrors;
    private readonly Counter<long> _matches;
    private readonly Counter<long> _alertsQueued;
    private readonly Counter<long> _alertsDelivered;
    private readonly Counter<long> _alertsFailed;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _unknownOutcomes;
    private readonly Counter<long> _regexTimeouts;
    private readonly Counter<long> _pruned;
    private readonly Histogram<double> _pollDuration;
    private long _oldestPendingTicks;

    public AlertBotMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _itemsFetched = meter.CreateCounter<long>("alertbot.items.fetched", "{item}", "Items read from feeds");
        _feedErrors = meter.CreateCounter<long>("alertbot.feed.errors", "{error}", "Failed feed polls");
        _matches = meter.CreateCounter<long>("alertbot.matches", "{match}", "Items that matched at least one channel's watchlist");
        _alertsQueued = meter.CreateCounter<long>("alertbot.alerts.queued", "{alert}", "Alerts written to the outbox");
        _alertsDelivered = meter.CreateCounter<long>("alertbot.alerts.delivered", "{alert}", "Alerts the platform accepted");
        _alertsFailed = meter.CreateCounter<long>("alertbot.alerts.failed", "{attempt}", "Send attempts that will be retried, or closed as undeliverable");
        _unknownOutcomes = meter.CreateCounter<long>(
            "alertbot.alerts.unknown_outcome", "{attempt}", "Sends whose answer was lost: the platform may or may not have posted them");
        _regexTimeouts = meter.CreateCounter<long>(
            "alertbot.matching.regex_timeouts", "{run}", "Regex terms that ran out of their time budget on an item (the item is matched again next poll)");
        _pruned = meter.CreateCounter<long>("alertbot.retention.pruned", "{row}", "Rows retention deleted, by table (seen_items, outbox)");
        _rateLimited = meter.CreateCounter<long>("alertbot.rate_limited", "{response}", "Sends the platform told to wait (429)");
        _pollDuration = meter.CreateHistogram<double>("alertbot.poll.duration", "s", "Time to poll one feed, fetch to commit");
        meter.CreateObservableGauge(
            "alertbot.outbox.oldest_age", () => TimeSpan.FromTicks(Interlocked.Read(ref _oldestPendingTicks)).TotalSeconds, "s",
            "Age of the oldest alert still waiting in the outbox, as of the last delivery pass");
    }

    public void ItemsFetched(long count, string feed) => _itemsFetched.Add(count, new KeyValuePair<string, object?>("feed", feed));

    public void FeedError(string kind) => _feedErrors.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Matched(long count) => _matches.Add(count);

    public void RegexTimedOut(long count) => _regexTimeouts.Add(count);

    public void Pruned(long seenItems, long outboxRows)
    {
        _pruned.Add(seenItems, new KeyValuePair<string, object?>("table", "seen_items"));
        _pruned.Add(outboxRows, new KeyValuePair<string, object?>("table", "outbox"));
    }

    public void AlertsQueued(long count) => _alertsQueued.Add(count);

    public void AlertDelivered(string platform) => _alertsDelivered.Add(1, new KeyValuePair<string, object?>("platform", platform));

    public void AlertFailed(string platform, string outcome) =>
        _alertsFailed.Add(1, new KeyValuePair<string, object?>("platform", platform), new KeyValuePair<string, object?>("outcome", outcome));

    public void UnknownOutcome(string platform) =>
        _unknownOutcomes.Add(1, new KeyValuePair<string, object?>("platform", platform));

    public void RateLimited(string platform) => _rateLimited.Add(1, new KeyValuePair<string, object?>("platform", platform));

    public void PollDuration(TimeSpan duration, string status) =>
        _pollDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("status", status));

    public void OldestPending(TimeSpan age) => Interlocked.Exchange(ref _oldestPendingTicks, Math.Max(0, age.Ticks));
}
