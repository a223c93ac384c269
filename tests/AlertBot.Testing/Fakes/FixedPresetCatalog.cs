using AlertBot.Core.Commands;
using AlertBot.Core.Watchlists;

namespace AlertBot.Testing.Fakes;

/// <summary>Presets given in code; the same lookup rules as configuration (names ignore case).</summary>
public sealed class FixedPresetCatalog(params WatchlistPreset[] presets) : IWatchlistPresetCatalog
{
    /// <summary>The shipped default: Qaani, Houthis, Red Sea.</summary>
    public static FixedPresetCatalog Default { get; } = new(new WatchlistPreset("default", ["Qaani", "Houthis", "Red Sea"]));

    public IReadOnlyList<string> Names => presets.Select(p => p.Name).ToArray();

    public WatchlistPreset? Find(string name) =>
        presets.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
