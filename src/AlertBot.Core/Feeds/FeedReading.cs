using AlertBot.Core.Items;

namespace AlertBot.Core.Feeds;

/// <summary>HTTP validators remembered between polls so an unchanged feed costs a 304 and no parse.</summary>
public sealed record FeedValidators(string? ETag, string? LastModified)
{
    public static readonly FeedValidators None = new(null, null);
}

public enum FeedErrorKind
{
    /// <summary>DNS, connection refused or reset, TLS.</summary>
    Network,
    /// <summary>The overall deadline passed (slow server, endless body).</summary>
    Timeout,
    /// <summary>A non-success HTTP status.</summary>
    HttpStatus,
    /// <summary>Body or decompressed body over its cap.</summary>
    TooLarge,
    /// <summary>Not a feed we can read: broken XML/JSON, unknown root element.</summary>
    Malformed,
    /// <summary>The address is refused by policy (scheme, redirect limit, private address).</summary>
    Blocked,
    /// <summary>A local path that does not exist or cannot be read.</summary>
    NotFound,
}

/// <summary>Reasons that callers recognise, not only show.</summary>
public static class FeedReasons
{
    /// <summary>How every failure starts whose address is a web page with none or several feeds to offer.</summary>
    public const string WebPage = "this is a web page, not a feed";
}

/// <summary>What one read of one feed produced. Never an exception: a failing feed is data.</summary>
public abstract record FeedReadResult
{
    private FeedReadResult()
    {
    }

    public sealed record Success(string? FeedTitle, IReadOnlyList<NewsItem> Items, FeedValidators Validators) : FeedReadResult
    {
        /// <summary>Set when the address was a web page and this is the one feed it links to (feed autodiscovery).</summary>
        public string? ReadFrom { get; init; }
    }

    public sealed record NotModified(FeedValidators Validators) : FeedReadResult;

    public sealed record Failure(FeedErrorKind Kind, string Reason) : FeedReadResult;
}

/// <summary>
/// Fetches and parses one feed: an http(s) URL, a <c>file://</c> URL or a local path.
/// Implementations never throw for a bad feed; they return <see cref="FeedReadResult.Failure"/> with a one-line reason.
/// </summary>
public interface IFeedReader
{
    Task<FeedReadResult> ReadAsync(string source, FeedValidators validators, CancellationToken cancellationToken);
}
