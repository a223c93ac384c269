using AlertBot.Core.Alerts;

namespace AlertBot.Core.Persistence;

/// <summary>
/// The outbox: alerts and notices queued per channel, claimed when due, delivered, retried, parked or closed.
/// One of the store's ports (each method is its own transaction unless it says otherwise; safe to call concurrently);
/// the configured database implements them all.
/// </summary>
public interface IOutboxStore
{
    /// <summary>
    /// Enqueues messages that are not the result of a poll (AlertBot's own notices): same rules as the alerts of
    /// <see cref="IPollStore.CommitPollAsync"/> (a (channel, item key) pair already in the outbox is skipped), nothing else changes.
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
}
