using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Diagnostics;
using AlertBot.Core.Digests;
using AlertBot.Core.Persistence;
using AlertBot.Core.Resilience;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Pipeline;

/// <summary>What one drain of the outbox did.</summary>
/// <param name="Parked">Alerts set aside after failing repeatedly for a reason of their own (see <see cref="DeliveryService"/>).</param>
public sealed record DeliveryRound(int Claimed, int Delivered, int Retried, int Undeliverable, int Parked = 0)
{
    /// <summary>Nothing claimed, nothing done.</summary>
    public static DeliveryRound None { get; } = new(0, 0, 0, 0);

    /// <summary>Two drains as one: every count added.</summary>
    public static DeliveryRound operator +(DeliveryRound left, DeliveryRound right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new DeliveryRound(
            left.Claimed + right.Claimed,
            left.Delivered + right.Delivered,
            left.Retried + right.Retried,
            left.Undeliverable + right.Undeliverable,
            left.Parked + right.Parked);
    }
}

/// <summary>
/// Drains the outbox: due alerts go to their platform's sink, channels in parallel, each channel's alerts strictly one
/// after another. A failed send is retried later with backoff (or after the platform's own wait) and stops that
/// channel's round, so later alerts never overtake it. Nothing is dropped, except for a channel the platform says is
/// gone: its pending alerts are closed as undeliverable, counted and logged.
/// </summary>
/// <remarks>
/// <para>
/// A channel never waits for ever behind one alert. An alert is <em>parked</em> (set aside: its channel's later alerts
/// flow, the channel is told once with its title and link, <c>alertbot.alerts.parked</c> counts it, and
/// <c>alertbot outbox requeue</c> puts it back) when it has failed <see cref="DeliveryOptions.MaxAttempts"/> times, or
/// failed again once <see cref="DeliveryOptions.MaxAge"/> old, and the failure is about the alert, not the platform:
/// </para>
/// <list type="bullet">
/// <item>A rate limit (a retry with the platform's own wait) never counts: waiting is the cure.</item>
/// <item>A refusal (the platform answered 4xx to this message, <see cref="DeliveryResult.Retry.Rejected"/>) counts.</item>
/// <item>
/// Anything else (no connection, 5xx, a lost answer) counts only while the platform accepts other sends: some send to
/// it succeeded within twice <see cref="DeliveryOptions.RetryMaxDelay"/> (at least a minute), more than the longest gap
/// between two attempts of one alert. If nothing got through in that time the platform is down for everyone, and
/// parking would only turn an outage into a flood of notices; the alerts wait, in order, for it to come back.
/// </item>
/// </list>
/// </remarks>
public sealed partial class DeliveryService
{
    private readonly IOutboxStore _outbox;
    private readonly IChannelStore _channels;
    private readonly Dictionary<string, IAlertSink> _sinks;
    private readonly DeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly AlertBotMetrics _metrics;
    private readonly DigestService _digests;
    private readonly ILogger<DeliveryService> _logger;
    private readonly OutboxSignal _outboxSignal;

    // Per platform, when a send to it last succeeded (this process): tells "this alert fails" from "the platform is down".
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _lastAccepted = new(StringComparer.Ordinal);

    public DeliveryService(
        IOutboxStore outbox,
        IChannelStore channels,
        IEnumerable<IAlertSink> sinks,
        IOptions<DeliveryOptions> options,
        AlertBotMetrics metrics,
        DigestService digests,
        TimeProvider time,
        ILogger<DeliveryService> logger,
        OutboxSignal outboxSignal)
    {
        _outboxSignal = outboxSignal;
        _digests = digests;
        _metrics = metrics;
        _outbox = outbox;
        _channels = channels;
        _sinks = new Dictionary<string, IAlertSink>(StringComparer.Ordinal);
        foreach (var sink in sinks)
        {
            _sinks[sink.Platform] = sink;
        }

        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public IReadOnlyCollection<string> Platforms => _sinks.Keys;

    /// <summary>One drain: claims what is due now and tries each once.</summary>
    /// <param name="cancellationToken">Aborts everything, sends in flight included.</param>
    /// <param name="stopping">
    /// Ends the drain between alerts (a graceful stop): a send in flight finishes and its result is recorded, no new
    /// send starts. Cancelling a send instead could lose the answer to a message the platform already posted, and the
    /// next start would post it again.
    /// </param>
    public async Task<DeliveryRound> DeliverDueAsync(CancellationToken cancellationToken, CancellationToken stopping = default)
    {
        if (stopping.IsCancellationRequested)
        {
            return DeliveryRound.None;
        }

        // Digests whose period ended join the outbox first, so this same drain sends them.
        await _digests.EnqueueDueAsync(cancellationToken);
        var entries = await _outbox.ClaimDueAsync(_time.GetUtcNow(), _options.BatchSize, cancellationToken);
        if (entries.Count == 0)
        {
            return DeliveryRound.None;
        }

        // A channel keeps its turn this long; then the drain ends and the next one takes every channel's due alerts.
        var turnEnds = _time.GetUtcNow() + _options.ChannelTurn;

        // Alerts by outcome, indexed by the outcome's value.
        var outcomes = new int[Enum.GetValues<Outcome>().Length];
        var byChannel = entries.GroupBy(e => e.ChannelId).Select(g => g.OrderBy(e => e.Id).ToList());
        await Parallel.ForEachAsync(
            byChannel,
            new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken },
            async (queue, ct) =>
            {
                // Message ids posted in this round: an update claimed together with its alert edits what was just sent.
                var posted = new Dictionary<long, string?>();
                foreach (var entry in queue)
                {
                    if (stopping.IsCancellationRequested)
                    {
                        // Not started, so still pending: the next start sends it, in order.
                        break;
                    }

                    var target = entry.Kind == OutboxKind.Update && entry.RefersToMessageId is null && entry.RefersTo is { } original
                        ? entry with { RefersToMessageId = posted.GetValueOrDefault(original) }
                        : entry;
                    var (outcome, messageId) = await DeliverOneAsync(target, ct);
                    posted[entry.Id] = messageId;
                    Interlocked.Increment(ref outcomes[(int)outcome]);

                    // Delivered, or parked (set aside): the channel's next alerts go on in this same round. Otherwise
                    // keep this channel's order: nothing after a failed alert goes out before it.
                    if (outcome is not (Outcome.Delivered or Outcome.Parked))
                    {
                        break;
                    }

                    if (_time.GetUtcNow() >= turnEnds)
                    {
                        // Its turn is over: the rest stay pending, in order (claims held by this instance are its
                        // own to take again), and the next drain serves them beside the alerts that came meanwhile.
                        break;
                    }
                }
            });

        return new DeliveryRound(
            entries.Count,
            outcomes[(int)Outcome.Delivered],
            outcomes[(int)Outcome.Retry],
            outcomes[(int)Outcome.ChannelGone],
            outcomes[(int)Outcome.Parked]);
    }

    /// <summary>Drains until nothing is due now (alerts waiting for a later retry stay queued) or until stopping.</summary>
    /// <param name="cancellationToken">Aborts everything, sends in flight included.</param>
    /// <param name="stopping">Ends the drain between alerts; see <see cref="DeliverDueAsync"/>.</param>
    public async Task<DeliveryRound> DeliverAllDueAsync(CancellationToken cancellationToken, CancellationToken stopping = default)
    {
        _outboxSignal.DrainStarting();
        var total = DeliveryRound.None;
        while (true)
        {
            var round = await DeliverDueAsync(cancellationToken, stopping);
            total += round;

            // A parked alert is progress too: its notice and the channel's next alerts may now be due.
            if (round.Claimed == 0 || round.Delivered + round.Parked == 0 || stopping.IsCancellationRequested)
            {
                var stats = await _outbox.GetOutboxStatsAsync(null, cancellationToken);
                _metrics.OldestPending(stats.OldestPendingAt is { } oldest ? _time.GetUtcNow() - oldest : TimeSpan.Zero);
                return total;
            }
        }
    }

    private enum Outcome
    {
        Delivered,
        Retry,
        ChannelGone,
        Parked,
    }

    private async Task<(Outcome Outcome, string? MessageId)> DeliverOneAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        DeliveryResult result;
        if (!_sinks.TryGetValue(entry.Channel.Platform, out var sink))
        {
            result = new DeliveryResult.Retry($"no sink is configured for platform '{entry.Channel.Platform}'");
        }
        else
        {
            try
            {
                result = entry.Kind != OutboxKind.Update ? await sink.DeliverAsync(entry, cancellationToken)
                    : entry.RefersToMessageId is { } messageId ? await sink.EditAsync(entry, messageId, cancellationToken)

                    // The alert was posted without an id to edit (a console, a platform that gave none): say it apart.
                    : await sink.DeliverAsync(entry with { Message = StoryMessages.FollowUp(entry.Message) }, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // A sink bug or an unexpected transport fault must not lose the alert: it is retried like any failure.
                LogSinkThrew(ex, entry.Id, entry.Channel);
                result = new DeliveryResult.Retry($"{ex.GetType().Name}: {ex.Message}");
            }
        }

        var now = _time.GetUtcNow();
        switch (result)
        {
            case DeliveryResult.Delivered ok:
                await _outbox.MarkDeliveredAsync(entry.Id, now, ok.PlatformMessageId, cancellationToken);
                _metrics.AlertDelivered(entry.Channel.Platform);
                _lastAccepted[entry.Channel.Platform] = now;
                if (ok.MovedTo is { } moved && moved != entry.Channel)
                {
                    await _channels.MoveChannelAsync(entry.ChannelId, moved, cancellationToken);
                    LogChannelMoved(entry.Channel, moved);
                }

                return (Outcome.Delivered, ok.PlatformMessageId);

            case DeliveryResult.Retry { After: null } retry when ShouldPark(entry, retry.Rejected, now):
                return await ParkAsync(entry, retry.Reason, now, cancellationToken);

            case DeliveryResult.Unknown unknown when ShouldPark(entry, rejected: false, now):
                _metrics.UnknownOutcome(entry.Channel.Platform);
                return await ParkAsync(entry, unknown.Reason, now, cancellationToken);

            case DeliveryResult.Retry retry:
                var wait = retry.After ?? Backoff(entry.Attempts);
                await _outbox.MarkAttemptFailedAsync(entry.Id, retry.Reason, now + wait, cancellationToken);
                _metrics.AlertFailed(entry.Channel.Platform, "retry");
                if (retry.After is not null)
                {
                    // A platform's own wait is its rate limit speaking (429 retry_after).
                    _metrics.RateLimited(entry.Channel.Platform);
                }

                LogRetry(entry.Id, entry.Channel, entry.Attempts + 1, retry.Reason, wait);
                return (Outcome.Retry, null);

            case DeliveryResult.Unknown unknown:
                var unknownWait = Backoff(entry.Attempts);
                await _outbox.MarkAttemptFailedAsync(entry.Id, unknown.Reason, now + unknownWait, cancellationToken);
                _metrics.AlertFailed(entry.Channel.Platform, "unknown");
                _metrics.UnknownOutcome(entry.Channel.Platform);
                LogUnknown(entry.Id, entry.Channel, entry.Attempts + 1, unknown.Reason, unknownWait);
                return (Outcome.Retry, null);

            case DeliveryResult.ChannelGone gone:
                await _channels.SetChannelActiveAsync(entry.ChannelId, false, cancellationToken);
                var closed = await _outbox.MarkChannelUndeliverableAsync(entry.ChannelId, gone.Reason, now, cancellationToken);
                _metrics.AlertFailed(entry.Channel.Platform, "undeliverable");
                LogChannelGone(entry.Channel, gone.Reason, closed);
                return (Outcome.ChannelGone, null);

            default:
                throw new InvalidOperationException($"Unknown delivery result {result.GetType().Name}.");
        }
    }

    /// <summary>The rule of the class remarks: the bound is reached and the failure is about this alert.</summary>
    private bool ShouldPark(OutboxEntry entry, bool rejected, DateTimeOffset now)
    {
        var attempts = entry.Attempts + 1;
        var bound = attempts >= _options.MaxAttempts || (attempts >= 2 && now - entry.CreatedAt >= _options.MaxAge);
        if (!bound)
        {
            return false;
        }

        // Twice the longest backoff: one failing alert's attempts are never further apart, drain latency included.
        var window = _options.RetryMaxDelay > TimeSpan.FromSeconds(30) ? 2 * _options.RetryMaxDelay : TimeSpan.FromMinutes(1);
        return rejected || (_lastAccepted.TryGetValue(entry.Channel.Platform, out var last) && now - last <= window);
    }

    /// <summary>Sets the alert aside and tells its channel once, through the outbox like any notice.</summary>
    private async Task<(Outcome, string?)> ParkAsync(OutboxEntry entry, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!await _outbox.ParkAsync(entry.Id, reason, now, cancellationToken))
        {
            return (Outcome.Retry, null);
        }

        _metrics.AlertFailed(entry.Channel.Platform, "parked");
        _metrics.AlertParked(entry.Channel.Platform);
        LogParked(entry.Id, entry.Channel, entry.Attempts + 1, reason);

        // One notice per parked alert (its key is unique in the channel), and none about a notice that was parked.
        if (!entry.ItemKey.StartsWith(ParkedNoticePrefix, StringComparison.Ordinal))
        {
            await _outbox.EnqueueAsync([new NewAlert(entry.ChannelId, ParkedNoticePrefix + entry.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ParkedNotice(entry, reason, now))], now, cancellationToken);
        }

        return (Outcome.Parked, null);
    }

    /// <summary>The item key prefix of the notice that tells a channel one of its alerts was parked.</summary>
    public const string ParkedNoticePrefix = "notice:parked:";

    internal static AlertMessage ParkedNotice(OutboxEntry entry, string reason, DateTimeOffset now) => new()
    {
        Title = "An alert could not be delivered: " + entry.Message.Title,
        Link = entry.Message.Link,
        Source = PollService.NoticeSource,
        PublishedAt = now,
        Sentences =
        [
            $"It failed {entry.Attempts + 1} times (last: {reason}), so it was set aside and the alerts after it go on. " +
            "The bot's operator can send it again.",
        ],
    };

    /// <summary>Exponential from the base delay, doubling per attempt, capped, with ±20 % jitter (never past the cap).</summary>
    internal TimeSpan Backoff(int previousAttempts) =>
        new RetryDelay(_options.RetryBaseDelay, _options.RetryMaxDelay, JitterLow: 0.8, JitterHigh: 1.2).For(previousAttempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sink threw while delivering alert {OutboxId} to {Channel}; it will be retried")]
    private partial void LogSinkThrew(Exception exception, long outboxId, ChannelRef channel);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Alert {OutboxId} to {Channel} not delivered (attempt {Attempt}): {Reason}; next try in {Wait}")]
    private partial void LogRetry(long outboxId, ChannelRef channel, int attempt, string reason, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Alert {OutboxId} to {Channel} may or may not have been posted (attempt {Attempt}): {Reason}; checked and retried in {Wait}")]
    private partial void LogUnknown(long outboxId, ChannelRef channel, int attempt, string reason, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Channel {Channel} is gone ({Reason}): deactivated, {Closed} pending alerts closed as undeliverable")]
    private partial void LogChannelGone(ChannelRef channel, string reason, int closed);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Alert {OutboxId} to {Channel} parked after {Attempts} failed attempts ({Reason}); its channel was told; alertbot outbox requeue puts it back")]
    private partial void LogParked(long outboxId, ChannelRef channel, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {OldChannel} moved to {NewChannel}")]
    private partial void LogChannelMoved(ChannelRef oldChannel, ChannelRef newChannel);
}
