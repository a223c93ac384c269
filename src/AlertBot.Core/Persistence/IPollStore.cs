using AlertBot.Core.Alerts;

namespace AlertBot.Core.Persistence;

/// <summary>
/// What polling writes: which items each feed has seen, and each poll's outcome (its alerts, validators, errors).
/// One of the store's ports (each method is its own transaction unless it says otherwise; safe to call concurrently);
/// the configured database implements them all.
/// </summary>
public interface IPollStore
{
    /// <summary>Which of these item keys this feed has already seen.</summary>
    Task<IReadOnlySet<string>> FindSeenAsync(long feedId, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken);

    /// <summary>
    /// One transaction: marks the keys seen for the feed, enqueues the alerts (a (channel, item key) pair already in
    /// the outbox, delivered or not, is skipped: a channel never gets the same item twice), stores the validators,
    /// clears the feed's error and marks its baseline done.
    /// </summary>
    Task<PollCommitResult> CommitPollAsync(PollCommit commit, CancellationToken cancellationToken);

    /// <summary>A failed poll: sets the error, bumps the failure count, stamps the poll time.</summary>
    Task RecordFeedFailureAsync(long feedId, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>A 304: the poll succeeded and nothing changed; clears the error and the failure count.</summary>
    Task RecordFeedNotModifiedAsync(long feedId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// 304s of feeds that were healthy, in one transaction: stamps each feed's poll and success times. A stamp older
    /// than the feed's last poll, or for a feed that has failed since, changes nothing (it was written late).
    /// </summary>
    Task RecordFeedsNotModifiedAsync(IReadOnlyCollection<FeedPollStamp> stamps, CancellationToken cancellationToken);
}

/// <summary>One feed's 304 at a moment (<see cref="IPollStore.RecordFeedsNotModifiedAsync"/>).</summary>
public readonly record struct FeedPollStamp(long FeedId, DateTimeOffset At);
