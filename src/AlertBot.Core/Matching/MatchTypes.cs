namespace AlertBot.Core.Matching;

public enum MatchField
{
    Title,
    Body,
}

/// <summary>
/// One occurrence of a watch term in an item: which term, which of its aliases matched, the text as it stands in
/// the item, the field, and the whole sentence around it (the explanation users see).
/// </summary>
public sealed record TermHit(string Term, string Alias, string MatchedText, MatchField Field, string Sentence);

/// <summary>A watch term owned by someone (a channel id): the unit the matcher is compiled from.</summary>
public sealed record MatchRule(long OwnerId, string Term);

/// <summary>The hits of one item, grouped by the owner whose rules they satisfy.</summary>
public sealed class ItemMatches
{
    public static readonly ItemMatches None = new(new Dictionary<long, IReadOnlyList<TermHit>>());

    public ItemMatches(IReadOnlyDictionary<long, IReadOnlyList<TermHit>> byOwner, IReadOnlyList<string>? timedOut = null)
    {
        ByOwner = byOwner;
        TimedOut = timedOut ?? [];
    }

    /// <summary>
    /// The regexes (as written, e.g. <c>/houthi\w*/i</c>) that ran out of their time budget on this item: the hits may
    /// be incomplete, so the item should be matched again rather than taken as answered.
    /// </summary>
    public IReadOnlyList<string> TimedOut { get; }

    /// <summary>Whether every regex finished: the hits are all there are.</summary>
    public bool IsComplete => TimedOut.Count == 0;

    /// <summary>Owner id → that owner's hits, every occurrence, title first, then body in text order.</summary>
    public IReadOnlyDictionary<long, IReadOnlyList<TermHit>> ByOwner { get; }

    public bool IsEmpty => ByOwner.Count == 0;

    /// <summary>The hits of one owner; empty when that owner's rules did not match.</summary>
    public IReadOnlyList<TermHit> For(long ownerId) => ByOwner.GetValueOrDefault(ownerId) ?? [];
}

/// <summary>A rule the matcher left out because its query does not parse, and the parser's message.</summary>
public sealed record RuleFault(MatchRule Rule, string Error);
