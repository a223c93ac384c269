namespace AlertBot.Core.Watchlists;

/// <summary>A named actor and every way the news writes it.</summary>
public sealed record Actor(string Name, IReadOnlyList<string> Aliases);

/// <summary>
/// The operator-editable alias dictionary (config/actors.json). A watch term that names an actor, by its name or any
/// alias, matches every alias of that actor.
/// </summary>
public sealed class ActorDictionary
{
    // PLACEHOLDER CONTRACT: the Matching work replaces the bodies below; the public surface stays.
    public static ActorDictionary Empty { get; } = new([]);

    public ActorDictionary(IReadOnlyList<Actor> actors) => Actors = actors;

    public IReadOnlyList<Actor> Actors { get; }

    /// <summary>Loads a dictionary file; throws <see cref="InvalidDataException"/> naming the file and the fault.</summary>
    public static ActorDictionary Load(string path) => throw new NotImplementedException(path);

    /// <summary>The actor whose name or one of whose aliases equals the term (ignoring case, diacritics, apostrophes).</summary>
    public Actor? Resolve(string term) => throw new NotImplementedException(term);
}
