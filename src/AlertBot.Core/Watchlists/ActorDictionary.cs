using AlertBot.Core.Text;

namespace AlertBot.Core.Watchlists;

/// <summary>A named actor and every way the news writes it.</summary>
public sealed record Actor(string Name, IReadOnlyList<string> Aliases)
{
    /// <summary>
    /// Longer phrases that contain one of the aliases yet name something else ("Kataib Hezbollah" is not
    /// Hezbollah, "Red Sea Global" is a developer): a hit inside one of these is not a hit on this actor.
    /// </summary>
    public IReadOnlyList<string> FalseFriends { get; init; } = [];

    /// <summary>The operator's note on who this is; shown when a user asks, never matched.</summary>
    public string? Notes { get; init; }

    /// <summary>The name and then every alias: all the spellings a term naming this actor matches.</summary>
    public IEnumerable<string> AllNames => Aliases.Prepend(Name);
}

/// <summary>
/// The operator-editable alias dictionary (config/actors.json). A watch term that names an actor, by its name or any
/// alias, matches every alias of that actor.
/// </summary>
public sealed class ActorDictionary
{
    // Folded token key ("qa ani") → the actor that owns that spelling.
    private readonly Dictionary<string, Actor> _byKey = new(StringComparer.Ordinal);

    public static ActorDictionary Empty { get; } = new([]);

    /// <exception cref="ArgumentException">
    /// A name or alias has no word in it, two actors claim the same spelling, or a false friend holds no alias.
    /// </exception>
    public ActorDictionary(IReadOnlyList<Actor> actors)
    {
        Actors = actors;
        if (Index(actors, _byKey) is { } fault)
        {
            throw new ArgumentException(fault, nameof(actors));
        }
    }

    public IReadOnlyList<Actor> Actors { get; }

    /// <summary>Loads a dictionary file; throws <see cref="InvalidDataException"/> naming the file and the fault.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static ActorDictionary Load(string path)
    {
        var file = ConfigFile.Read<ActorsFile>(path);
        if (file.Actors is null)
        {
            throw ConfigFile.Fault(path, "no \"actors\" array.");
        }

        var actors = new List<Actor>(file.Actors.Count);
        for (var i = 0; i < file.Actors.Count; i++)
        {
            var entry = file.Actors[i];
            var label = $"actors[{i}]";
            if (entry is null || string.IsNullOrWhiteSpace(entry.Name))
            {
                throw ConfigFile.Fault(path, $"{label} has no \"name\".");
            }

            label = $"{label} (\"{entry.Name}\")";
            if (entry.Aliases.Concat(entry.FalseFriends).FirstOrDefault(string.IsNullOrWhiteSpace) is not null)
            {
                throw ConfigFile.Fault(path, $"{label} lists an empty alias or false friend.");
            }

            actors.Add(new Actor(entry.Name.Trim(), [.. entry.Aliases.Select(a => a.Trim())])
            {
                FalseFriends = [.. entry.FalseFriends.Select(f => f.Trim())],
                Notes = entry.Notes,
            });
        }

        return Index(actors, new Dictionary<string, Actor>(StringComparer.Ordinal)) is { } fault
            ? throw ConfigFile.Fault(path, fault)
            : new ActorDictionary(actors);
    }

    /// <summary>The actor whose name or one of whose aliases equals the term (ignoring case, diacritics, apostrophes).</summary>
    public Actor? Resolve(string term) => _byKey.GetValueOrDefault(Tokenizer.Key(term));

    /// <summary>Fills the spelling index; returns the first fault (an empty alias, a shared spelling) or null.</summary>
    private static string? Index(IReadOnlyList<Actor> actors, Dictionary<string, Actor> byKey)
    {
        foreach (var actor in actors)
        {
            foreach (var name in actor.AllNames)
            {
                var key = Tokenizer.Key(name);
                if (key.Length == 0)
                {
                    return $"actor \"{actor.Name}\": \"{name}\" has no letters or digits.";
                }

                if (byKey.TryGetValue(key, out var owner) && !ReferenceEquals(owner, actor))
                {
                    return $"\"{name}\" of actor \"{actor.Name}\" is also a name or alias of actor \"{owner.Name}\".";
                }

                byKey[key] = actor;
            }

            var aliasKeys = actor.AllNames.Select(n => " " + Tokenizer.Key(n) + " ").ToList();
            foreach (var falseFriend in actor.FalseFriends)
            {
                var key = " " + Tokenizer.Key(falseFriend) + " ";
                if (!aliasKeys.Any(alias => key.Contains(alias, StringComparison.Ordinal)))
                {
                    return $"actor \"{actor.Name}\": false friend \"{falseFriend}\" contains none of its aliases, " +
                           "so it would never take effect.";
                }
            }
        }

        return null;
    }

    private sealed class ActorsFile
    {
        [System.Text.Json.Serialization.JsonPropertyName("$comment")]
        public string? Comment { get; set; }

        public List<ActorEntry?>? Actors { get; set; }
    }

    private sealed class ActorEntry
    {
        public string? Name { get; set; }

        public List<string> Aliases { get; set; } = [];

        public List<string> FalseFriends { get; set; } = [];

        public string? Notes { get; set; }
    }
}
