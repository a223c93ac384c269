using System.Net;
using AlertBot.Core.Feeds;
using AlertBot.Feeds.Discovery;
using AlertBot.Feeds.Fetching;
using AlertBot.Feeds.Parsing;
using AlertBot.Feeds.Ssrf;
using AlertBot.Feeds.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlertBot.Feeds;

/// <summary>
/// Reads one feed end to end: fetch within limits (conditional GET, counted redirects, capped decompression), parse
/// RSS/Atom/RDF/JSON Feed, flatten to plain-text <see cref="Core.Items.NewsItem"/>s. A bad feed is a
/// <see cref="FeedReadResult.Failure"/>, never an exception; only the caller's own cancellation propagates.
/// </summary>
public sealed partial class FeedReader : IFeedReader
{
    private readonly FeedFetcher fetcher;
    private readonly HostConcurrency hosts;
    private readonly ILogger<FeedReader> logger;

    public FeedReader(
        HttpClient httpClient,
        IOptions<FetchOptions> options,
        IFeedUrlPolicy urlPolicy,
        HostConcurrency hosts,
        TimeProvider timeProvider,
        ILogger<FeedReader> logger)
    {
        fetcher = new FeedFetcher(httpClient, options.Value, urlPolicy, timeProvider);
        this.hosts = hosts;
        this.logger = logger;
    }

    /// <summary>
    /// A reader without dependency injection (tests, tools). It owns its HttpClient for its lifetime. The SSRF guard is
    /// on unless <paramref name="options"/> turn it off; tests against a loopback server allow it with
    /// <see cref="FetchOptions.AllowedNetworks"/>. <paramref name="urlPolicy"/> replaces only the per-hop URL check, not
    /// the connect-time address check; <paramref name="resolver"/> replaces DNS.
    /// </summary>
    public static FeedReader Create(
        FetchOptions? options = null,
        TimeProvider? timeProvider = null,
        IFeedUrlPolicy? urlPolicy = null,
        ILogger<FeedReader>? logger = null,
        IHostResolver? resolver = null)
    {
        options ??= new FetchOptions();
        var validation = new FetchOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(FetchOptions.SectionName, typeof(FetchOptions), validation.Failures);
        }

        var guard = new AddressGuard(options);
        var client = new HttpClient(CreateHandler(new GuardedConnector(guard, resolver ?? SystemHostResolver.Instance)))
        {
            Timeout = BackstopTimeout(options),
        };
        return new FeedReader(
            client,
            Options.Create(options),
            urlPolicy ?? guard,
            new HostConcurrency(options),
            timeProvider ?? TimeProvider.System,
            logger ?? NullLogger<FeedReader>.Instance);
    }

    /// <summary>
    /// The primary handler every feed client must use: connections only through the <paramref name="connector"/> (the
    /// SSRF guard's connect-time check) and never through a proxy (a proxy would resolve the feed's host itself, out of
    /// the guard's sight); no automatic redirects (the fetcher counts and checks each hop) and no automatic
    /// decompression (the fetcher caps the decompressed size).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(GuardedConnector connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        return new()
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            ConnectCallback = connector.ConnectAsync,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
    }

    /// <summary>HttpClient's own timeout only backs up the fetcher's deadline, which also covers reading the body.</summary>
    internal static TimeSpan BackstopTimeout(FetchOptions options) => options.Timeout + TimeSpan.FromSeconds(5);

    public async Task<FeedReadResult> ReadAsync(string source, FeedValidators validators, CancellationToken cancellationToken)
    {
        var shown = Redact(source);
        FeedReadResult result;
        try
        {
            result = await ReadCoreAsync(source, validators, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogUnexpected(logger, shown, ex);
            result = new FeedReadResult.Failure(FeedErrorKind.Malformed, $"unexpected {ex.GetType().Name} while reading the feed");
        }

        switch (result)
        {
            case FeedReadResult.Failure failure:
                LogFailed(logger, shown, failure.Kind, failure.Reason);
                break;
            case FeedReadResult.NotModified:
                LogNotModified(logger, shown);
                break;
            case FeedReadResult.Success success:
                LogRead(logger, shown, success.Items.Count);
                break;
        }

        return result;
    }

    private async Task<FeedReadResult> ReadCoreAsync(
        string source, FeedValidators validators, CancellationToken cancellationToken, bool discover = true)
    {
        FetchOutcome outcome;
        using (await hosts.AcquireAsync(source, cancellationToken))
        {
            outcome = await fetcher.FetchAsync(source, validators, cancellationToken);
        }

        if (outcome.Result is { } done)
        {
            return done;
        }

        var document = outcome.Document!;
        ParsedFeed feed;
        try
        {
            feed = FeedParser.Parse(document.Body, document.Charset, document.DocumentUri);
        }
        catch (FeedFormatException ex)
        {
            return discover && FeedDiscovery.LooksLikeHtml(document.Body)
                ? await DiscoverAsync(document, validators, cancellationToken)
                : new FeedReadResult.Failure(FeedErrorKind.Malformed, ex.Message);
        }

        var items = new NewsItemMapper().Map(feed);
        var title = feed.Title is { } t ? (t.IsPlain ? HtmlText.Plain(t.Value, singleLine: true) : new HtmlText().ToLine(t.Value)) : null;
        return new FeedReadResult.Success(string.IsNullOrEmpty(title) ? null : title, items, document.Validators);
    }

    /// <summary>
    /// A web page where a feed was expected: the one feed it links to is read instead (once, never a page's page), and
    /// the result says where from; several are listed for the user to choose; none is said plainly.
    /// </summary>
    private async Task<FeedReadResult> DiscoverAsync(FetchedDocument page, FeedValidators validators, CancellationToken cancellationToken)
    {
        var feeds = FeedDiscovery.Find(page.Body, page.Charset, page.DocumentUri);
        switch (feeds.Count)
        {
            case 0:
                return new FeedReadResult.Failure(
                    FeedErrorKind.Malformed, $"{FeedReasons.WebPage}, and it links to no RSS, Atom or JSON feed");
            case 1:
                var result = await ReadCoreAsync(feeds[0].Url, validators, cancellationToken, discover: false);
                return result switch
                {
                    FeedReadResult.Success ok => ok with { ReadFrom = feeds[0].Url },
                    FeedReadResult.Failure failed => failed with { Reason = $"the feed the page links to ({Redact(feeds[0].Url)}) failed: {failed.Reason}" },
                    _ => result,
                };
            default:
                return new FeedReadResult.Failure(
                    FeedErrorKind.Malformed,
                    $"{FeedReasons.WebPage}; it links to {feeds.Count} feeds, add one of them: " +
                    string.Join(", ", feeds.Take(10).Select(f => f.Title is null ? f.Url : $"{f.Url} ({f.Title})")));
        }
    }

    /// <summary>Feed URLs can carry access tokens in their query; logs get scheme, host and path only.</summary>
    private static string Redact(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.GetLeftPart(UriPartial.Path)
            : source;

    // Debug: the caller reports a failure once, with what it knows (the poll names the feed and counts failures).
    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed {Source} failed ({Kind}): {Reason}")]
    private static partial void LogFailed(ILogger logger, string source, FeedErrorKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error reading feed {Source}")]
    private static partial void LogUnexpected(ILogger logger, string source, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed {Source} not modified")]
    private static partial void LogNotModified(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed {Source} read: {Count} items")]
    private static partial void LogRead(ILogger logger, string source, int count);
}
