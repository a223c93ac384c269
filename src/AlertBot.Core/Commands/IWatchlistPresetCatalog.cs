using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Commands;

/// <summary>The watchlist presets shipped in configuration, as /subscribe sees them.</summary>
public interface IWatchlistPresetCatalog
{
    /// <summary>The preset with that name (ignoring case), or null.</summary>
    WatchlistPreset? Find(string name);

    IReadOnlyList<string> Names { get; }
}
