using AlertBot.Core.Matching;

namespace AlertBot.Core.Summaries;

/// <summary>Why an item alerted: one line per matched term, with the alias, the field and the sentence.</summary>
public sealed record MatchExplanation(string Term, string Alias, MatchField Field, string Sentence)
{
    /// <summary>The words as they stand in the item ("Houthi-controlled" gives "Houthi"), when known.</summary>
    public string? MatchedText { get; init; }
}

/// <summary>
/// A platform-neutral alert: what every chat adapter renders in its own markup, and what the outbox stores as JSON.
/// </summary>
public sealed record AlertMessage
{
    public required string Title { get; init; }

    public string? Link { get; init; }

    public required string Source { get; init; }

    public DateTimeOffset? PublishedAt { get; init; }

    /// <summary>The 1–3 most relevant sentences, in the order they stand in the article.</summary>
    public IReadOnlyList<string> Sentences { get; init; } = [];

    /// <summary>One entry per matched term.</summary>
    public IReadOnlyList<MatchExplanation> Matches { get; init; } = [];
}
