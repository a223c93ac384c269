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

    /// <summary>
    /// For a country, the adjectives and nouns of its people ("Iranian", "Iranians"): a term naming the country matches
    /// them, and Arabic-script ones (إيراني, الإيرانية ...) are generated from its Arabic-script names. An exact term
    /// (<c>=Iran</c>) does not.
    /// </summary>
    public IReadOnlyList<string> Demonyms { get; init; } = [];

    /// <summary>Whether a term gives a country: one with demonyms, or marked so in the dictionary.</summary>
    public bool IsCountry { get; init; }

    /// <summary>Descriptive phrases that name this actor without its name ("Yemen's rebels"), with their context rules.</summary>
    public IReadOnlyList<ActorDescription> Descriptions { get; init; } = [];

    /// <summary>Whether word forms are generated from the aliases (see <see cref="WordForms"/>); on unless turned off.</summary>
    public bool GenerateForms { get; init; } = true;
}

/// <summary>One way to write an actor that the matcher looks for: the spelling shown in explanations, and its folded path.</summary>
internal sealed record ActorSpelling(string Alias, string[] Path);

/// <summary>
/// The operator-editable alias dictionary (config/actors.json). A watch term that names an actor, by its name or any
/// alias, matches every alias of that actor.
/// </summary>
public sealed class ActorDictionary
{
    // Folded token key ("qa ani") → the actor that owns that spelling.
    private readonly Dictionary<string, Actor> _byKey = new(StringComparer.Ordinal);

    private readonly Dictionary<Actor, ActorForms> _forms = new(ReferenceEqualityComparer.Instance);

    public static ActorDictionary Empty { get; } = new([]);

    /// <param name="actors">The actors.</param>
    /// <param name="falseFriends">
    /// Dictionary-wide false friends: words and phrases that name someone else ("Ashraf Ghani", "Qana"). No generated
    /// form may be or fall inside one, and a hit inside one counts for no actor.
    /// </param>
    /// <param name="stopWords">Words no generated form may be, beyond the built-in list of common words.</param>
    /// <exception cref="ArgumentException">
    /// A name or alias has no word in it, two actors claim the same spelling, a false friend holds no alias or form,
    /// or a description's pattern does not parse.
    /// </exception>
    public ActorDictionary(IReadOnlyList<Actor> actors, IReadOnlyList<string>? falseFriends = null, IReadOnlyList<string>? stopWords = null)
    {
        Actors = actors;
        FalseFriends = falseFriends ?? [];
        if ((Index(actors, _byKey) ?? BuildForms(stopWords ?? [])) is { } fault)
        {
            throw new ArgumentException(fault, nameof(actors));
        }
    }

    public IReadOnlyList<Actor> Actors { get; }

    /// <summary>Dictionary-wide false friends (see the constructor).</summary>
    public IReadOnlyList<string> FalseFriends { get; }

    /// <summary>
    /// Every spelling a term naming <paramref name="actor"/> matches: its names and aliases, then the forms generated
    /// from them, then (for a country) its demonyms and theirs. Each generated one carries the alias it came from.
    /// </summary>
    internal IReadOnlyList<ActorSpelling> SpellingsOf(Actor actor) =>
        _forms.TryGetValue(actor, out var forms) ? forms.Spellings : [.. actor.AllNames.Select(n => new ActorSpelling(n, PathOf(n)))];

    /// <summary>The actor's false friends and the dictionary's, as folded paths.</summary>
    internal IReadOnlyList<string[]> FalseFriendPathsOf(Actor actor) =>
        [.. actor.FalseFriends.Concat(FalseFriends).Select(PathOf).Where(p => p.Length > 0)];

    /// <summary>The actor's descriptions, compiled.</summary>
    internal IReadOnlyList<DescriptionPaths> DescriptionsOf(Actor actor) =>
        _forms.TryGetValue(actor, out var forms) ? forms.Descriptions : [];

    private static string[] PathOf(string text) => [.. Tokenizer.Tokenize(text).Select(t => t.Normalized)];

    private sealed record ActorForms(IReadOnlyList<ActorSpelling> Spellings, IReadOnlyList<DescriptionPaths> Descriptions);

    /// <summary>
    /// Generates every actor's forms, dropping any that is a stop word, is or falls inside a false friend (the
    /// actor's or the dictionary's), or is another actor's spelling; compiles descriptions. Returns the first fault.
    /// </summary>
    private string? BuildForms(IReadOnlyList<string> stopWords)
    {
        var stop = new HashSet<string>(WordForms.StopWords, StringComparer.Ordinal);
        stop.UnionWith(stopWords.Select(Tokenizer.Key));
        var taken = new Dictionary<string, Actor>(_byKey, StringComparer.Ordinal);
        var globalFalse = FalseFriends.Select(f => " " + Tokenizer.Key(f) + " ").ToList();
        foreach (var actor in Actors)
        {
            // A form may not be one of the actor's false friends; nor may it be or fall inside one of the dictionary's,
            // which name other people and places ("Ashraf Ghani" keeps "Ghani" from being a form of Ghaani). The
            // actor's own longer false friends ("Sipah-e-Sahaba") only block the hits inside them.
            var ownFalse = actor.FalseFriends.Select(Tokenizer.Key).ToHashSet(StringComparer.Ordinal);
            var spellings = new List<ActorSpelling>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            void Add(string alias, string key, bool generated)
            {
                if (key.Length == 0 || keys.Contains(key))
                {
                    return;
                }

                if (generated && (stop.Contains(key) || ownFalse.Contains(key) || globalFalse.Any(f => f.Contains(" " + key + " ", StringComparison.Ordinal)) ||
                                  (taken.TryGetValue(key, out var owner) && !ReferenceEquals(owner, actor))))
                {
                    return;
                }

                keys.Add(key);
                taken.TryAdd(key, actor);
                spellings.Add(new ActorSpelling(alias, key.Split(' ')));
            }

            foreach (var name in actor.AllNames)
            {
                Add(name, Tokenizer.Key(name), generated: false);
            }

            var demonyms = actor.Demonyms.SelectMany(d => WordForms.EnglishPlural(d) is { } plural ? new[] { d, plural } : [d]).ToList();
            if (actor.GenerateForms)
            {
                foreach (var name in actor.AllNames.ToList())
                {
                    foreach (var form in WordForms.Candidates(Tokenizer.Key(name)))
                    {
                        Add(name, form, generated: true);
                    }
                }
            }

            foreach (var demonym in demonyms)
            {
                Add(demonym, Tokenizer.Key(demonym), generated: true);
            }

            if (actor.IsCountry || actor.Demonyms.Count > 0)
            {
                foreach (var name in actor.AllNames)
                {
                    foreach (var form in WordForms.Nisba(Tokenizer.Key(name)))
                    {
                        Add(name, form, generated: true);
                    }
                }
            }

            var descriptions = new List<DescriptionPaths>();
            foreach (var description in actor.Descriptions)
            {
                try
                {
                    descriptions.Add(DescriptionPaths.Compile(description));
                }
                catch (FormatException ex)
                {
                    return $"actor \"{actor.Name}\": description {ex.Message}";
                }
            }

            _forms[actor] = new ActorForms(spellings, descriptions);
        }

        return null;
    }

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

            if (entry.Demonyms.Any(string.IsNullOrWhiteSpace) || entry.Descriptions.Any(d => d is null || string.IsNullOrWhiteSpace(d.Pattern)))
            {
                throw ConfigFile.Fault(path, $"{label} lists an empty demonym or a description without a \"pattern\".");
            }

            actors.Add(new Actor(entry.Name.Trim(), [.. entry.Aliases.Select(a => a.Trim())])
            {
                FalseFriends = [.. entry.FalseFriends.Select(f => f.Trim())],
                Notes = entry.Notes,
                Demonyms = [.. entry.Demonyms.Select(d => d.Trim())],
                IsCountry = entry.Country,
                GenerateForms = entry.GenerateForms,
                Descriptions = [.. entry.Descriptions.Select(d => new ActorDescription(d!.Pattern!.Trim(), d.Label?.Trim())
                {
                    Near = [.. d.Near.Select(n => n.Trim())],
                    Window = d.Window ?? ActorDescription.DefaultWindow,
                })],
            });
        }

        try
        {
            return new ActorDictionary(actors, file.FalseFriends, file.StopWords);
        }
        catch (ArgumentException ex)
        {
            throw ConfigFile.Fault(path, ex.Message.Replace(" (Parameter 'actors')", "", StringComparison.Ordinal));
        }
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

            // A false friend must hold an alias or a form generated from one ("Ghani" for Ghaani), or it does nothing.
            var aliasKeys = actor.AllNames.Select(n => " " + Tokenizer.Key(n) + " ")
                .Concat(actor.AllNames.SelectMany(n => WordForms.Candidates(Tokenizer.Key(n))).Select(k => " " + k + " "))
                .ToList();
            foreach (var falseFriend in actor.FalseFriends)
            {
                var key = " " + Tokenizer.Key(falseFriend) + " ";
                if (!aliasKeys.Any(alias => key.Contains(alias, StringComparison.Ordinal)))
                {
                    return $"actor \"{actor.Name}\": false friend \"{falseFriend}\" contains none of its aliases or their forms, " +
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

        /// <summary>Dictionary-wide false friends.</summary>
        public List<string> FalseFriends { get; set; } = [];

        /// <summary>Words no generated form may be, beyond the built-in common words.</summary>
        public List<string> StopWords { get; set; } = [];
    }

    private sealed class DescriptionEntry
    {
        public string? Pattern { get; set; }

        public string? Label { get; set; }

        public List<string> Near { get; set; } = [];

        public int? Window { get; set; }
    }

    private sealed class ActorEntry
    {
        public string? Name { get; set; }

        public List<string> Aliases { get; set; } = [];

        public List<string> FalseFriends { get; set; } = [];

        public string? Notes { get; set; }

        public List<string> Demonyms { get; set; } = [];

        public bool Country { get; set; }

        public bool GenerateForms { get; set; } = true;

        public List<DescriptionEntry?> Descriptions { get; set; } = [];
    }
}
