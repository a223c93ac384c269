using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Persistence;

/// <summary>
/// Each channel's watch terms, and the version the compiled matcher is built at.
/// One of the store's ports (each method is its own transaction unless it says otherwise; safe to call concurrently);
/// the configured database implements them all.
/// </summary>
public interface IWatchlistStore
{
    /// <returns>False when the channel already had the term (compared case-insensitively).</returns>
    Task<bool> AddWatchTermAsync(long channelId, string text, DateTimeOffset now, CancellationToken cancellationToken);

    /// <returns>False when the channel had no such term (compared case-insensitively).</returns>
    Task<bool> RemoveWatchTermAsync(long channelId, string text, CancellationToken cancellationToken);

    Task<IReadOnlyList<WatchTerm>> ListWatchTermsAsync(long channelId, CancellationToken cancellationToken);

    /// <summary>Every channel's terms: what the one compiled matcher is built from.</summary>
    Task<IReadOnlyList<WatchTerm>> ListAllWatchTermsAsync(CancellationToken cancellationToken);

    /// <summary>A number that changes whenever any watch term is added or removed, so the matcher knows to rebuild.</summary>
    Task<long> GetWatchlistVersionAsync(CancellationToken cancellationToken);
}
