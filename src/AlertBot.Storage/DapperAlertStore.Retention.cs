using AlertBot.Core.Retention;
using Dapper;

namespace AlertBot.Storage;

/// <summary><see cref="IRetentionStore"/>: old seen items and closed outbox rows go, in batches.</summary>
public abstract partial class DapperAlertStore
{
    /// <summary>Rows deleted per retention transaction.</summary>
    private const int PruneBatch = 2000;

    // ---- Retention ---------------------------------------------------------------------------------------------

    public async Task<PruneResult> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var param = new { OlderThan = ToDb(olderThan), Batch = PruneBatch };

        // A seen item goes only when it is old and below its feed's floor: not in the feed's last document.
        var seen = await PruneInBatchesAsync(
            """
            DELETE FROM seen_items WHERE (feed_id, item_key) IN (
                SELECT s.feed_id, s.item_key FROM seen_items s JOIN feeds f ON f.id = s.feed_id
                WHERE s.last_seen_at < @OlderThan AND f.seen_floor IS NOT NULL AND s.last_seen_at < f.seen_floor
                LIMIT @Batch)
            """,
            param,
            cancellationToken);

        // An alert a pending update still edits stays until the update is done.
        var outbox = await PruneInBatchesAsync(
            """
            DELETE FROM outbox WHERE id IN (
                SELECT o.id FROM outbox o
                WHERE ((o.status = 'delivered' AND o.delivered_at < @OlderThan) OR (o.status = 'undeliverable' AND o.closed_at < @OlderThan))
                  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.ref_id = o.id AND p.status = 'pending')
                LIMIT @Batch)
            """,
            param,
            cancellationToken);
        return new PruneResult(seen, outbox);
    }

    private async Task<int> PruneInBatchesAsync(string sql, object param, CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await InWriteTransactionAsync(
                (connection, transaction) => connection.ExecuteAsync(Command(sql, param, cancellationToken, transaction)), cancellationToken);
            total += deleted;
        }
        while (deleted == PruneBatch);

        return total;
    }
}
