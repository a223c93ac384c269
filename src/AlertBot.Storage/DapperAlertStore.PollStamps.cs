using AlertBot.Core.Persistence;
using Dapper;

namespace AlertBot.Storage;

/// <summary><see cref="IPollStore.RecordFeedsNotModifiedAsync"/>: a second's worth of 304s in one write transaction.</summary>
public abstract partial class DapperAlertStore
{
    public async Task RecordFeedsNotModifiedAsync(IReadOnlyCollection<FeedPollStamp> stamps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stamps);
        if (stamps.Count == 0)
        {
            return;
        }

        // Only the times: the feed was healthy when it answered, and one that failed since keeps its failure.
        await InWriteTransactionAsync(
            async (connection, transaction) => await connection.ExecuteAsync(Command(
                """
                UPDATE feeds SET last_polled_at = @At, last_success_at = @At
                WHERE id = @Id AND consecutive_failures = 0 AND (last_polled_at IS NULL OR last_polled_at < @At)
                """,
                stamps.Select(s => new { Id = s.FeedId, At = ToDb(s.At) }).ToList(),
                cancellationToken,
                transaction)),
            cancellationToken);
    }
}
