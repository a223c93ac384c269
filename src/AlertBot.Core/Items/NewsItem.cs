namespace AlertBot.Core.Items;

/// <summary>
/// One article as every stage after parsing sees it: plain text only, no markup, no entities.
/// </summary>
public sealed record NewsItem
{
    /// <summary>The feed's own identifier (RSS guid, Atom id, JSON Feed id); the link when the feed gives none.</summary>
    public required string Id { get; init; }

    public string? Link { get; init; }

    public required string Title { get; init; }

    /// <summary>Plain text of the item's content, or of its summary when it has no content.</summary>
    public string Text { get; init; } = "";

    public string? Author { get; init; }

    public DateTimeOffset? Published { get; init; }

    public DateTimeOffset? Updated { get; init; }

    /// <summary>Human name of the source: the configured feed name, else the feed's own title.</summary>
    public string SourceName { get; init; } = "";
}
