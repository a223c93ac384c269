using System.Collections;

namespace AlertBot.Core.Watchlists;

/// <summary>
/// The named watchlists shipped in config/watchlists.json, which a channel can subscribe with
/// (<c>/watch preset default</c>).
/// </summary>
public sealed class WatchlistPresets : IReadOnlyList<WatchlistPreset>
{
    private readonly IReadOnlyList<WatchlistPreset> _presets;

    public WatchlistPresets(IReadOnlyList<WatchlistPreset> presets) => _presets = presets;

    public int Count => _presets.Count;

    public WatchlistPreset this[int index] => _presets[index];

    /// <summary>Loads a presets file; throws <see cref="InvalidDataException"/> naming the file and the fault.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static WatchlistPresets Load(string path)
    {
        var file = ConfigFile.Read<PresetsFile>(path);
        if (file.Presets is null)
        {
            throw ConfigFile.Fault(path, "no \"presets\" array.");
        }

        var presets = new List<WatchlistPreset>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < file.Presets.Count; i++)
        {
            var entry = file.Presets[i];
            if (entry is null || string.IsNullOrWhiteSpace(entry.Name))
            {
                throw ConfigFile.Fault(path, $"presets[{i}] has no \"name\".");
            }

            var name = entry.Name.Trim();
            if (!names.Add(name))
            {
                throw ConfigFile.Fault(path, $"preset \"{name}\" is defined twice.");
            }

            if (entry.Terms is not { Count: > 0 } || entry.Terms.Any(string.IsNullOrWhiteSpace))
            {
                throw ConfigFile.Fault(path, $"preset \"{name}\" needs a \"terms\" array of non-empty terms.");
            }

            presets.Add(new WatchlistPreset(name, [.. entry.Terms.Select(t => t.Trim())]));
        }

        return new WatchlistPresets(presets);
    }

    /// <summary>The preset of that name (ignoring case), or null.</summary>
    public WatchlistPreset? Find(string name) =>
        _presets.FirstOrDefault(p => string.Equals(p.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    public IEnumerator<WatchlistPreset> GetEnumerator() => _presets.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class PresetsFile
    {
        [System.Text.Json.Serialization.JsonPropertyName("$comment")]
        public string? Comment { get; set; }

        public List<PresetEntry?>? Presets { get; set; }
    }

    private sealed class PresetEntry
    {
        public string? Name { get; set; }

        public string? Description { get; set; }

        public List<string>? Terms { get; set; }
    }
}
