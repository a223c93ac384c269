namespace AlertBot.Feeds.Parsing;

/// <summary>Media types a <see cref="FeedText"/> can carry.</summary>
public static class FeedTextTypes
{
    public const string Plain = "text/plain";
    public const string Html = "text/html";
    public const string Xhtml = "application/xhtml+xml";
}

/// <summary>
/// A text construct as the feed published it: <see cref="Value"/> is markup when <see cref="Type"/> is HTML/XHTML
/// (entities already decoded once by the XML parser), literal text when it is <see cref="FeedTextTypes.Plain"/>.
/// </summary>
public sealed record FeedText(string Value, string Type)
{
    public bool IsPlain => Type == FeedTextTypes.Plain;
}

public sealed record FeedLink(string Href, string Rel, string? Type);

public sealed record FeedPerson(string? Name, string? Email, string? Uri)
{
    /// <summary>"Name (email)" when both are known, else whichever is.</summary>
    public string? Display => (Name, Email) switch
    {
        ({ Length: > 0 } n, { Length: > 0 } e) => $"{n} ({e})",
        ({ Length: > 0 } n, _) => n,
        (_, { Length: > 0 } e) => e,
        _ => null,
    };
}

/// <summary>One entry with everything AlertBot may want from it, before it is flattened to plain text.</summary>
public sealed record FeedEntry
{
    public string? Id { get; init; }

    /// <summary>The entry's main (alternate) link, resolved against xml:base and the document address.</summary>
    public string? Link { get; init; }

    public IReadOnlyList<FeedLink> Links { get; init; } = [];

    public FeedText? Title { get; init; }

    public FeedText? Summary { get; init; }

    public FeedText? Content { get; init; }

    public FeedPerson? Author { get; init; }

    public DateTimeOffset? Published { get; init; }

    /// <summary>The date string as published, kept for diagnostics.</summary>
    public string? PublishedText { get; init; }

    public DateTimeOffset? Updated { get; init; }

    public string? UpdatedText { get; init; }
}

public enum FeedFormat
{
    Rss090,
    Rss091To20,
    Rss10,
    Atom03,
    Atom10,
    JsonFeed,
    Cdf,
}

public sealed record ParsedFeed(FeedFormat Format, FeedText? Title, string? Link, IReadOnlyList<FeedEntry> Entries);

/// <summary>The document is not a feed we can read; the message is one line, fit for a failure reason.</summary>
public sealed class FeedFormatException : Exception
{
    public FeedFormatException(string message)
        : base(message)
    {
    }

    public FeedFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FeedFormatException()
    {
    }
}
