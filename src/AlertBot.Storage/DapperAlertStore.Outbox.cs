using System.Data.Common;
using System.Text.Json;
using AlertBot.Core.Alerts;
using AlertBot.Core.Persistence;
using Dapper;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage;

/// <summary>
/// <see cref="IOutboxStore"/>: alerts and notices queued per channel. What both databases say alike is here; how
/// rows are inserted in bulk and claimed (one instance, or several sharing the database) is the provider's.
/// </summary>
public abstract partial class DapperAlertStore
{
    public abstract Task<IReadOnlyList<OutboxEntry>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    public abstract Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? platformMessageId, CancellationToken cancellationToken);


    /// <summary>
    /// Inserts the rows <see cref="OutboxRows"/> made, in list order (so ids follow the order the pipeline enqueued
    /// and the first of two twins is kept); ON CONFLICT tolerates only the (channel, item) duplicate. A held row
    /// (digest) is due when its period ends: next_attempt_at carries that time, and the claim skips it.
    /// </summary>
    private protected abstract string InsertOutbox { get; }

    /// <summary>New outbox rows as <see cref="InsertOutbox"/> takes them, serialised before any transaction opens.</summary>
    private protected abstract object OutboxRows(IReadOnlyList<NewAlert> alerts, DateTimeOffset at);

    public async Task<int> EnqueueAsync(IReadOnlyList<NewAlert> alerts, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
        {
            return 0;
        }

        var rows = OutboxRows(alerts, at);
        return await InWriteTransactionAsync(
            (connection, transaction) => connection.ExecuteAsync(Command(InsertOutbox, rows, cancellationToken, transaction)),
            cancellationToken);
    }

    public Task MarkAttemptFailedAsync(long outboxId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        ExecuteAsync(
            $"""
            UPDATE outbox SET attempts = attempts + 1, last_error = @Error, next_attempt_at = @Next{ReleaseClaim}
            WHERE id = @Id AND status = 'pending'
            """,
            new { Id = outboxId, Error = error, Next = ToDb(nextAttemptAt) },
            cancellationToken);

    public Task<int> MarkChannelUndeliverableAsync(long channelId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            $"""
            UPDATE outbox SET status = 'undeliverable', last_error = @Reason, closed_at = @At{ReleaseClaim}
            WHERE channel_id = @ChannelId AND status = 'pending'
            """,
            new { ChannelId = channelId, Reason = reason, At = ToDb(at) },
            cancellationToken);

    // The CAST gives PostgreSQL the type of a parameter that is only compared with NULL; SQLite takes it as is.
    public async Task<OutboxStats> GetOutboxStatsAsync(long? channelId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<OutboxStatsRow>(
            """
            SELECT COALESCE(SUM(CASE WHEN status = 'pending' AND kind <> 'held' THEN 1 ELSE 0 END), 0) AS Pending,
                   MIN(CASE WHEN status = 'pending' AND kind <> 'held' THEN created_at END) AS OldestPendingAt,
                   MAX(delivered_at) AS LastDeliveredAt,
                   COALESCE(SUM(CASE WHEN status = 'undeliverable' THEN 1 ELSE 0 END), 0) AS Undeliverable
            FROM outbox
            WHERE CAST(@ChannelId AS bigint) IS NULL OR channel_id = @ChannelId
            """,
            new { ChannelId = channelId },
            cancellationToken);
        return rows.Single().ToRecord();
    }

    /// <summary>Closes a pending row whose payload nobody can read (parameters Id, Error, At).</summary>
    private string CloseUnreadable =>
        $"UPDATE outbox SET status = 'undeliverable', last_error = @Error, closed_at = @At{ReleaseClaim} WHERE id = @Id AND status = 'pending'";

    /// <summary>
    /// Claimed rows as entries. A payload nobody can read would block its channel's queue for ever, so its row is
    /// closed as undeliverable (where it can be seen) instead of being returned.
    /// </summary>
    private protected async Task<IReadOnlyList<OutboxEntry>> ToEntriesAsync(
        IReadOnlyList<OutboxRow> rows,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var entries = new List<OutboxEntry>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                entries.Add(row.ToRecord());
            }
            catch (JsonException ex)
            {
                LogUnreadablePayload(Logger, row.Id, row.ChannelId, ex);
                await ExecuteAsync(
                    CloseUnreadable,
                    new { row.Id, Error = "Unreadable payload: " + ex.Message, At = ToDb(now) },
                    cancellationToken);
            }
        }

        return entries;
    }

    // A parked row is closed like an undeliverable one (so no claim, count or index of pending rows sees it) and marked
    // by parked_at (migration 0003), which is what sets it apart from the rows of a gone channel: it can be re-queued.
    public async Task<bool> ParkAsync(long outboxId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"""
            UPDATE outbox SET status = 'undeliverable', attempts = attempts + 1, last_error = @Reason, closed_at = @At, parked_at = @At{ReleaseClaim}
            WHERE id = @Id AND status = 'pending'
            """,
            new { Id = outboxId, Reason = reason, At = ToDb(at) },
            cancellationToken) > 0;

    public Task<IReadOnlyList<ParkedAlert>> ListParkedAsync(CancellationToken cancellationToken) =>
        QueryRecordsAsync<ParkedRow, ParkedAlert>(
            $"""
            SELECT {ParkedRow.Columns}
            FROM outbox o JOIN channels c ON c.id = o.channel_id
            WHERE o.status = 'undeliverable' AND o.parked_at IS NOT NULL
            ORDER BY o.parked_at, o.id
            """,
            null,
            r => r.ToRecord(),
            cancellationToken);

    public Task<int> RequeueParkedAsync(long? outboxId, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteAsync(
            $"""
            UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = @Now, closed_at = NULL, parked_at = NULL{ReleaseClaim}
            WHERE status = 'undeliverable' AND parked_at IS NOT NULL{(outboxId is null ? "" : " AND id = @Id")}
            """,
            new { Id = outboxId ?? 0, Now = ToDb(now) },
            cancellationToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox entry {OutboxId} of channel {ChannelId} has an unreadable payload; closed as undeliverable")]
    private static partial void LogUnreadablePayload(ILogger logger, long outboxId, long channelId, Exception exception);
}
