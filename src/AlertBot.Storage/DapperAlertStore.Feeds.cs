using AlertBot.Core.Persistence;

namespace AlertBot.Storage;

/// <summary><see cref="IFeedStore"/>: the feeds, keyed by URL.</summary>
public abstract partial class DapperAlertStore
{
    // ---- Feeds -------------------------------------------------------------------------------------------------

    private static readonly TimeSpan FollowsDefaultPlaceholder = TimeSpan.FromMinutes(5);

    public async Task<FeedRecord> UpsertFeedAsync(FeedDefinition feed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(feed.Url);
        ArgumentNullException.ThrowIfNull(feed.Name);
        // A feed without an interval of its own follows the configured default; the column keeps a positive placeholder.
        var intervalMs = (long)(feed.Interval ?? FollowsDefaultPlaceholder).TotalMilliseconds;
        if (intervalMs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(feed), feed.Interval, $"Feed '{feed.Url}' needs a positive polling interval.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(feed.Backfill);

        var id = await ScalarAsync<long>(
            """
            INSERT INTO feeds (url, name, interval_ms, interval_explicit, backfill, created_at)
            VALUES (@Url, @Name, @IntervalMs, @Explicit, @Backfill, @CreatedAt)
            ON CONFLICT (url) DO UPDATE SET name = excluded.name, interval_ms = excluded.interval_ms,
                interval_explicit = excluded.interval_explicit, backfill = excluded.backfill
            RETURNING id
            """,
            new { feed.Url, feed.Name, IntervalMs = intervalMs, Explicit = feed.Interval is not null, feed.Backfill, CreatedAt = ToDb(now) },
            cancellationToken);
        return (await QueryFeedsAsync("WHERE f.id = @Id", new { Id = id }, cancellationToken))[0];
    }

    public async Task<bool> DeleteFeedAsync(long feedId, CancellationToken cancellationToken) =>
        await ExecuteAsync("DELETE FROM feeds WHERE id = @Id", new { Id = feedId }, cancellationToken) > 0;

    public async Task<FeedRecord?> GetFeedAsync(long feedId, CancellationToken cancellationToken) =>
        (await QueryFeedsAsync("WHERE f.id = @Id", new { Id = feedId }, cancellationToken)).SingleOrDefault();

    public async Task<FeedRecord?> FindFeedByUrlAsync(string url, CancellationToken cancellationToken) =>
        (await QueryFeedsAsync("WHERE f.url = @Url", new { Url = url }, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<FeedRecord>> ListFeedsAsync(CancellationToken cancellationToken) =>
        QueryFeedsAsync("", null, cancellationToken);

    private Task<IReadOnlyList<FeedRecord>> QueryFeedsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<FeedRow, FeedRecord>(
            $"SELECT {FeedRow.Columns} FROM feeds f {where} ORDER BY f.id", param, r => r.ToRecord(), cancellationToken);
}
