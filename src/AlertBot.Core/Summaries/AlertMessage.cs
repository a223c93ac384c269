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

    /// <summary>Where the matched words stand in <see cref="Title"/> and <see cref="Sentences"/>, for adapters to make bold.</summary>
    public IReadOnlyList<HighlightSpan> Highlights { get; init; } = [];

    /// <summary>Other outlets that carried the same story after <see cref="Source"/>, in the order they came.</summary>
    public IReadOnlyList<AlertSource> AlsoSources { get; init; } = [];

    /// <summary>For a digest: the stories it gathers, oldest first. Empty for an ordinary alert.</summary>
    public IReadOnlyList<DigestEntry> Digest { get; init; } = [];

    /// <summary>For an escalation on Discord: the role the channel's admins chose to mention (see /escalate role).</summary>
    public string? EscalationRoleId { get; init; }
}

/// <summary>An outlet that carried a story, with its own link to it.</summary>
public sealed record AlertSource(string Name, string? Link);

/// <summary>
/// Matched words in the alert's text: <paramref name="Sentence"/> indexes <see cref="AlertMessage.Sentences"/>, or is
/// <see cref="Title"/> for the title; <paramref name="Start"/> and <paramref name="Length"/> count UTF-16 code units.
/// Spans of one text never overlap and are in order.
/// </summary>
public sealed record HighlightSpan(int Sentence, int Start, int Length)
{
    public const int Title = -1;
}

/// <summary>One story in a digest.</summary>
public sealed record DigestEntry(string Title, string Source, string? Link, IReadOnlyList<string> Terms, DateTimeOffset? PublishedAt)
{
    /// <summary>Other outlets that carried it.</summary>
    public IReadOnlyList<string> AlsoSources { get; init; } = [];
}
