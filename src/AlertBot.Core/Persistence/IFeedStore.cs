namespace AlertBot.Core.Persistence;

/// <summary>
/// The feeds AlertBot polls: added from configuration, the CLI or chat, keyed by URL.
/// One of the store's ports (each method is its own transaction unless it says otherwise; safe to call concurrently);
/// the configured database implements them all.
/// </summary>
public interface IFeedStore
{
    /// <summary>Adds the feed, or updates name/interval/backfill of the feed with that URL; polling state is kept.</summary>
    Task<FeedRecord> UpsertFeedAsync(FeedDefinition feed, DateTimeOffset now, CancellationToken cancellationToken);

    Task<FeedRecord?> GetFeedAsync(long feedId, CancellationToken cancellationToken);

    /// <summary>Deletes the feed with what hangs on it (which channels read it, its seen items); queued alerts stay.</summary>
    /// <returns>False when there was no such feed.</returns>
    Task<bool> DeleteFeedAsync(long feedId, CancellationToken cancellationToken);

    Task<FeedRecord?> FindFeedByUrlAsync(string url, CancellationToken cancellationToken);

    Task<IReadOnlyList<FeedRecord>> ListFeedsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A short value that changes when a feed is added or removed or gets another interval, so the schedule sync reads
    /// the whole list only then; computed by the database without reading the feeds out.
    /// </summary>
    Task<string> GetScheduleVersionAsync(CancellationToken cancellationToken);
}
