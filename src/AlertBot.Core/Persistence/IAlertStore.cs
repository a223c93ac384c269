using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Persistence;

/// <summary>
/// Everything AlertBot keeps. One implementation per database; each method is its own transaction unless it says
/// otherwise. Implementations are safe to call concurrently from jobs and chat handlers.
/// </summary>
public interface IAlertStore
{
    /// <summary>Brings the schema to the newest version (runs pending migrations in order). Idempotent.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    // ---- Feeds -------------------------------------------------------------------------------------------------

    /// <summary>Adds the feed, or updates name/interval/backfill of the feed with that URL; polling state is kept.</summary>
    Task<FeedRecord> UpsertFeedAsync(FeedDefinition feed, DateTimeOffset now, CancellationToken cancellationToken);

    Task<FeedRecord?> GetFeedAsync(long feedId, CancellationToken cancellationToken);

    /// <summary>Deletes the feed with what hangs on it (which channels read it, its seen items); queued alerts stay.</summary>
    /// <returns>False when there was no such feed.</returns>
    Task<bool> DeleteFeedAsync(long feedId, CancellationToken cancellationToken);

    Task<FeedRecord?> FindFeedByUrlAsync(string url, CancellationToken cancellationToken);

    Task<IReadOnlyList<FeedRecord>> ListFeedsAsync(CancellationToken cancellationToken);

    /// <summary>A failed poll: sets the error, bumps the failure count, stamps the poll time.</summary>
    Task RecordFeedFailureAsync(long feedId, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>A 304: the poll succeeded and nothing changed; clears the error and the failure count.</summary>
    Task RecordFeedNotModifiedAsync(long feedId, DateTimeOffset at, CancellationToken cancellationToken);

    // ---- Channels ----------------------------------------------------------------------------------------------

    /// <summary>Returns the channel, creating it (active, not paused) when new; updates the title when given.</summary>
    Task<Channel> EnsureChannelAsync(ChannelRef channel, string? title, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Channel?> GetChannelAsync(ChannelRef channel, CancellationToken cancellationToken);

    Task<Channel?> GetChannelByIdAsync(long channelId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Channel>> ListChannelsAsync(CancellationToken cancellationToken);

    Task SetChannelActiveAsync(long channelId, bool active, CancellationToken cancellationToken);

    Task SetChannelPausedAsync(long channelId, bool paused, CancellationToken cancellationToken);

    /// <summary>The platform gave the chat a new id (Telegram group → supergroup); everything else stays.</summary>
    Task MoveChannelAsync(long channelId, ChannelRef newRef, CancellationToken cancellationToken);

    // ---- Which channel reads which feed ------------------------------------------------------------------------

    /// <returns>False when the channel already had the feed.</returns>
    Task<bool> AttachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken);

    /// <returns>False when the channel did not have the feed.</returns>
    Task<bool> DetachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken);

    Task<IReadOnlyList<FeedRecord>> ListChannelFeedsAsync(long channelId, CancellationToken cancellationToken);

    /// <summary>Ids of the channels that read the feed and are active and not paused: the ones a match can alert.</summary>
    Task<IReadOnlyList<long>> ListDeliverableSubscribersAsync(long feedId, CancellationToken cancellationToken);

    // ---- Watchlists --------------------------------------------------------------------------------------------

    /// <returns>False when the channel already had the term (compared case-insensitively).</returns>
    Task<bool> AddWatchTermAsync(long channelId, string text, DateTimeOffset now, CancellationToken cancellationToken);

    /// <returns>False when the channel had no such term (compared case-insensitively).</returns>
    Task<bool> RemoveWatchTermAsync(long channelId, string text, CancellationToken cancellationToken);

    Task<IReadOnlyList<WatchTerm>> ListWatchTermsAsync(long channelId, CancellationToken cancellationToken);

    /// <summary>Every channel's terms: what the one compiled matcher is built from.</summary>
    Task<IReadOnlyList<WatchTerm>> ListAllWatchTermsAsync(CancellationToken cancellationToken);

    /// <summary>A number that changes whenever any watch term is added or removed, so the matcher knows to rebuild.</summary>
    Task<long> GetWatchlistVersionAsync(CancellationToken cancellationToken);

    // ---- Items and the outbox ----------------------------------------------------------------------------------

    /// <summary>Which of these item keys this feed has already seen.</summary>
    Task<IReadOnlySet<string>> FindSeenAsync(long feedId, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken);

    /// <summary>
    /// One transaction: marks the keys seen for the feed, enqueues the alerts (a (channel, item key) pair already in
    /// the outbox, delivered or not, is skipped: a channel never gets the same item twice), stores the validators,
    /// clears the feed's error and marks its baseline done.
    /// </summary>
    Task<PollCommitResult> CommitPollAsync(PollCommit commit, CancellationToken cancellationToken);

    /// <summary>
    /// Enqueues messages that are not the result of a poll (AlertBot's own notices): same rules as the alerts of
    /// <see cref="CommitPollAsync"/> (a (channel, item key) pair already in the outbox is skipped), nothing else changes.
    /// </summary>
    /// <returns>How many new outbox rows were written.</returns>
    Task<int> EnqueueAsync(IReadOnlyList<NewAlert> alerts, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Pending alerts that are due, oldest first, at most <paramref name="max"/>. Per channel order is kept: an entry
    /// is returned only when no older pending entry of the same channel is waiting for a later retry. Entries of
    /// inactive channels are not returned.
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? platformMessageId, CancellationToken cancellationToken);

    /// <summary>Counts the attempt, stores the error, and schedules the next one.</summary>
    Task MarkAttemptFailedAsync(long outboxId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>The channel is gone: its pending alerts are closed as undeliverable with the reason (kept, counted, never sent).</summary>
    Task<int> MarkChannelUndeliverableAsync(long channelId, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Sets a pending alert aside (parks it): it counts the attempt, keeps the reason, and no longer holds back its
    /// channel's later alerts; it stays listed by <see cref="ListParkedAsync"/> until <see cref="RequeueParkedAsync"/>.
    /// </summary>
    /// <returns>False when the row was not pending (delivered or closed meanwhile).</returns>
    Task<bool> ParkAsync(long outboxId, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Parked alerts, oldest parked first.</summary>
    Task<IReadOnlyList<ParkedAlert>> ListParkedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Puts parked alerts back in their channel's queue, due at <paramref name="now"/> with a fresh attempt count.
    /// Having kept their place (the time they were queued), each goes out before its channel's later alerts.
    /// </summary>
    /// <param name="outboxId">One parked alert, or null for all of them.</param>
    /// <returns>How many were re-queued.</returns>
    Task<int> RequeueParkedAsync(long? outboxId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <param name="channelId">One channel's figures, or null for all.</param>
    Task<OutboxStats> GetOutboxStatsAsync(long? channelId, CancellationToken cancellationToken);

    // ---- Small persistent state (update offsets, leases) -------------------------------------------------------

    Task<string?> GetStateAsync(string key, CancellationToken cancellationToken);

    Task SetStateAsync(string key, string value, CancellationToken cancellationToken);
}
