using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Feeds;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;

namespace AlertBot.Core.Persistence;

/// <summary>A feed as configured or added from chat; <see cref="IFeedStore.UpsertFeedAsync"/> keys it by URL.</summary>
/// <param name="Interval">Its own polling interval; null follows <c>AlertBot:Polling:DefaultInterval</c>, whatever it is then.</param>
public sealed record FeedDefinition(string Url, string Name, TimeSpan? Interval, int Backfill = 0);

/// <summary>A feed with its polling state.</summary>
public sealed record FeedRecord
{
    public required long Id { get; init; }
    public required string Url { get; init; }
    public required string Name { get; init; }
    /// <summary>Its own polling interval; null when it follows the configured default (see <see cref="IntervalOr"/>).</summary>
    public required TimeSpan? Interval { get; init; }

    /// <summary>How many of the newest items the first poll alerts on; 0 = the first poll only records a baseline.</summary>
    public int Backfill { get; init; }

    /// <summary>False until the first successful poll has recorded what the feed already held.</summary>
    public bool BaselineDone { get; init; }

    public string? ETag { get; init; }
    public string? LastModified { get; init; }
    public DateTimeOffset? LastPolledAt { get; init; }
    public DateTimeOffset? LastSuccessAt { get; init; }
    public string? LastError { get; init; }
    public int ConsecutiveFailures { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    public FeedValidators Validators => new(ETag, LastModified);

    /// <summary>The interval this feed is polled at, given the configured default.</summary>
    public TimeSpan IntervalOr(TimeSpan defaultInterval) => Interval ?? defaultInterval;
}

/// <summary>An alert to enqueue for one channel.</summary>
public sealed record NewAlert(long ChannelId, string ItemKey, AlertMessage Message)
{
    /// <summary>The item's story, kept with the row so later copies of the story can join this alert.</summary>
    public StoryFingerprint? Story { get; init; }

    /// <summary>Set for a channel that takes digests: the row is held (never claimed) until its digest is built.</summary>
    public DateTimeOffset? HoldUntil { get; init; }

    /// <summary>What the row is; <see cref="OutboxKind.Digest"/> for a digest.</summary>
    public OutboxKind Kind { get; init; } = OutboxKind.Alert;

    /// <summary>An alert that answers an earlier one (an escalation): the sink posts it as a reply to that alert's message.</summary>
    public long? RefersTo { get; init; }
}

/// <summary>
/// Everything one successful poll of one feed changes, written in one transaction: the item keys now seen,
/// the alerts they caused, the feed's new validators, and that the baseline is done.
/// </summary>
public sealed record PollCommit(
    long FeedId,
    IReadOnlyList<string> SeenKeys,
    IReadOnlyList<NewAlert> Alerts,
    FeedValidators Validators,
    DateTimeOffset At)
{
    /// <summary>Later copies of stories joining alerts already in the outbox (see <see cref="StoryUpdate"/>).</summary>
    public IReadOnlyList<StoryUpdate> Updates { get; init; } = [];

    /// <summary>
    /// Every item key the fetched document listed (seen before or not): their "last listed" time is kept fresh, so
    /// retention never forgets an item a feed still carries. Null when unknown: nothing is refreshed, and retention
    /// keeps treating the feed's previous document as its last.
    /// </summary>
    public IReadOnlyList<string>? ListedKeys { get; init; }

    /// <summary>Items that matched each channel's terms in this poll, added to the hourly trend counts in the same transaction.</summary>
    public IReadOnlyList<Actions.TermHourCount> TermHits { get; init; } = [];
}

/// <param name="AlertsEnqueued">New outbox rows; an alert for a (channel, item) pair already in the outbox is not counted.</param>
public sealed record PollCommitResult(int KeysMarkedSeen, int AlertsEnqueued);

public sealed record OutboxStats(
    int Pending,
    DateTimeOffset? OldestPendingAt,
    DateTimeOffset? LastDeliveredAt,
    int Undeliverable);

/// <summary>An alert set aside after failing repeatedly (see <see cref="IOutboxStore.ParkAsync"/>).</summary>
/// <param name="Title">The alert's title, or a placeholder when its stored payload cannot be read.</param>
public sealed record ParkedAlert(
    long Id,
    ChannelRef Channel,
    string ItemKey,
    string Title,
    string? Link,
    int Attempts,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset ParkedAt);
