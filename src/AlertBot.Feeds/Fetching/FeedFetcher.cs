using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using AlertBot.Core.Feeds;
using AlertBot.Feeds.Ssrf;

namespace AlertBot.Feeds.Fetching;

/// <summary>A fetched body, decompressed, with what the parser needs to know about where it came from.</summary>
public sealed record FetchedDocument(byte[] Body, string? Charset, Uri? DocumentUri, FeedValidators Validators);

/// <summary>Either a document to parse or a result that needs no parsing (not modified, failure).</summary>
public sealed record FetchOutcome(FetchedDocument? Document, FeedReadResult? Result)
{
    public static FetchOutcome Fail(FeedErrorKind kind, string reason) => new(null, new FeedReadResult.Failure(kind, reason));
}

/// <summary>
/// Gets feed bytes from http(s) or the local filesystem within <see cref="FetchOptions"/>' limits. Redirects are
/// followed here, not by the handler, so each hop is counted and checked by the <see cref="IFeedUrlPolicy"/>;
/// decompression is done here, not by the handler, so the decompressed size is capped (a gzip bomb stops at the cap).
/// The client's handler must connect through <see cref="GuardedConnector"/>: an <see cref="AddressBlockedException"/>
/// from it becomes a Blocked failure. Local paths and file:// URLs are read here for the operator's own feeds; chat
/// users cannot add them (<see cref="FeedUrlValidator"/>), and a redirect can never lead to one (the policy refuses it).
/// </summary>
public sealed partial class FeedFetcher(HttpClient httpClient, FetchOptions options, IFeedUrlPolicy urlPolicy, TimeProvider timeProvider)
{
    private const string Accept =
        "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";

    public async Task<FetchOutcome> FetchAsync(string source, FeedValidators validators, CancellationToken cancellationToken)
    {
        source = source.Trim();
        if (SchemePattern().IsMatch(source) && Uri.TryCreate(source, UriKind.Absolute, out var uri))
        {
            return uri.Scheme switch
            {
                "http" or "https" => await FetchHttpAsync(uri, validators, cancellationToken),
                "file" => await ReadFileAsync(uri.LocalPath, source, validators, cancellationToken),
                _ => FetchOutcome.Fail(FeedErrorKind.Blocked, $"scheme '{uri.Scheme}' is not allowed (http, https, file or a path)"),
            };
        }

        return await ReadFileAsync(source, source, validators, cancellationToken);
    }

    private async Task<FetchOutcome> FetchHttpAsync(Uri start, FeedValidators validators, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(options.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked.Token;
        var current = start;
        var hop = 0;
        try
        {
            for (; ; hop++)
            {
                if (await urlPolicy.CheckAsync(current, token) is { } refusal)
                {
                    return Blocked(refusal);
                }

                using var request = CreateRequest(current, validators);
                using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                if (IsRedirect(response.StatusCode))
                {
                    if (response.Headers.Location is not { } location)
                    {
                        return FetchOutcome.Fail(FeedErrorKind.HttpStatus, $"HTTP {(int)response.StatusCode} redirect without a Location header");
                    }

                    if (hop >= options.MaxRedirects)
                    {
                        return FetchOutcome.Fail(FeedErrorKind.Blocked, $"more than {options.MaxRedirects} redirects (MaxRedirects)");
                    }

                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }

                var newValidators = ValidatorsOf(response, validators);
                if (response.StatusCode == HttpStatusCode.NotModified)
                {
                    return new FetchOutcome(null, new FeedReadResult.NotModified(newValidators));
                }

                if (!response.IsSuccessStatusCode)
                {
                    return FetchOutcome.Fail(FeedErrorKind.HttpStatus, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
                }

                return await ReadBodyAsync(response, current, newValidators, token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FetchOutcome.Fail(FeedErrorKind.Timeout, $"no complete response within {options.Timeout} (Timeout)");
        }
        catch (HttpRequestException ex) when (BlockedCause(ex) is { } blocked)
        {
            return Blocked(blocked.Message);
        }
        catch (HttpRequestException ex)
        {
            return FetchOutcome.Fail(FeedErrorKind.Network, OneLine(ex.Message) + (ex.InnerException is { } inner ? " " + OneLine(inner.Message) : ""));
        }
        catch (IOException ex)
        {
            return FetchOutcome.Fail(FeedErrorKind.Network, "connection failed while reading: " + OneLine(ex.Message));
        }

        FetchOutcome Blocked(string reason) => FetchOutcome.Fail(
            FeedErrorKind.Blocked, hop == 0 ? reason : $"redirect to {current.GetLeftPart(UriPartial.Path)} refused: {reason}");
    }

    private static AddressBlockedException? BlockedCause(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is AddressBlockedException blocked)
            {
                return blocked;
            }
        }

        return null;
    }

    private HttpRequestMessage CreateRequest(Uri uri, FeedValidators validators)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("User-Agent", options.UserAgent);
        request.Headers.TryAddWithoutValidation("Accept", Accept);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br");
        if (!string.IsNullOrEmpty(validators.ETag))
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", validators.ETag);
        }

        if (!string.IsNullOrEmpty(validators.LastModified))
        {
            request.Headers.TryAddWithoutValidation("If-Modified-Since", validators.LastModified);
        }

        return request;
    }

    private async Task<FetchOutcome> ReadBodyAsync(HttpResponseMessage response, Uri finalUri, FeedValidators validators, CancellationToken token)
    {
        var content = response.Content;
        if (content.Headers.ContentLength > options.MaxBodyBytes)
        {
            return TooLarge($"body of {content.Headers.ContentLength} bytes is over {options.MaxBodyBytes} (MaxBodyBytes)");
        }

        await using var stream = await content.ReadAsStreamAsync(token);
        var body = await ReadCappedAsync(stream, options.MaxBodyBytes, token);
        if (body is null)
        {
            return TooLarge($"body is over {options.MaxBodyBytes} bytes (MaxBodyBytes)");
        }

        foreach (var coding in content.Headers.ContentEncoding.Reverse())
        {
            var decoded = Decompress(body, coding.Trim().ToLowerInvariant(), options.MaxDecompressedBytes);
            if (decoded.Result is { } failure)
            {
                return new FetchOutcome(null, failure);
            }

            body = decoded.Body!;
        }

        var documentUri = content.Headers.ContentLocation is { } location
            ? location.IsAbsoluteUri ? location : new Uri(finalUri, location)
            : finalUri;
        return new FetchOutcome(new FetchedDocument(body, content.Headers.ContentType?.CharSet, documentUri, validators), null);
    }

    private static (byte[]? Body, FeedReadResult? Result) Decompress(byte[] body, string coding, long cap)
    {
        if (coding is "identity" or "")
        {
            return (body, null);
        }

        try
        {
            return coding switch
            {
                "gzip" or "x-gzip" => Capped(new GZipStream(new MemoryStream(body), CompressionMode.Decompress), cap),
                "br" => Capped(new BrotliStream(new MemoryStream(body), CompressionMode.Decompress), cap),
                // "deflate" is meant to be zlib-wrapped, but some servers send a raw deflate stream.
                "deflate" => LooksLikeZlib(body)
                    ? Capped(new ZLibStream(new MemoryStream(body), CompressionMode.Decompress), cap)
                    : Capped(new DeflateStream(new MemoryStream(body), CompressionMode.Decompress), cap),
                _ => (null, new FeedReadResult.Failure(FeedErrorKind.Malformed, $"unsupported Content-Encoding '{coding}'")),
            };
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException)
        {
            return (null, new FeedReadResult.Failure(FeedErrorKind.Malformed, $"broken {coding} body: {OneLine(ex.Message)}"));
        }
    }

    private static (byte[]? Body, FeedReadResult? Result) Capped(Stream decompressor, long cap)
    {
        using (decompressor)
        {
            var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = decompressor.Read(buffer)) > 0)
            {
                if (output.Length + read > cap)
                {
                    return (null, new FeedReadResult.Failure(FeedErrorKind.TooLarge, $"decompressed body is over {cap} bytes (MaxDecompressedBytes)"));
                }

                output.Write(buffer, 0, read);
            }

            return (output.ToArray(), null);
        }
    }

    private static bool LooksLikeZlib(byte[] body) =>
        body.Length >= 2 && (body[0] & 0x0F) == 8 && ((body[0] << 8) | body[1]) % 31 == 0;

    private static async Task<byte[]?> ReadCappedAsync(Stream stream, long cap, CancellationToken token)
    {
        var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, token)) > 0)
        {
            if (output.Length + read > cap)
            {
                return null;
            }

            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    private async Task<FetchOutcome> ReadFileAsync(string path, string source, FeedValidators validators, CancellationToken cancellationToken)
    {
        try
        {
            var candidates = Path.IsPathFullyQualified(path)
                ? [path]
                : new[] { Path.GetFullPath(path), Path.Combine(AppContext.BaseDirectory, path) };
            var found = candidates.FirstOrDefault(File.Exists);
            if (found is null)
            {
                return FetchOutcome.Fail(FeedErrorKind.NotFound, $"no such file: {source}");
            }

            var info = new FileInfo(found);
            if (info.Length > options.MaxBodyBytes)
            {
                return TooLarge($"file of {info.Length} bytes is over {options.MaxBodyBytes} (MaxBodyBytes)");
            }

            // The file's modification time plays the part of Last-Modified, so an unchanged file costs no parse.
            var stamp = new FeedValidators(null, info.LastWriteTimeUtc.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            if (stamp.LastModified == validators.LastModified)
            {
                return new FetchOutcome(null, new FeedReadResult.NotModified(stamp));
            }

            var bytes = await File.ReadAllBytesAsync(found, cancellationToken);
            return new FetchOutcome(new FetchedDocument(bytes, null, null, stamp), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return FetchOutcome.Fail(FeedErrorKind.NotFound, $"cannot read {source}: {OneLine(ex.Message)}");
        }
    }

    private static FeedValidators ValidatorsOf(HttpResponseMessage response, FeedValidators previous)
    {
        var etag = response.Headers.ETag?.ToString();
        var lastModified = response.Content.Headers.TryGetValues("Last-Modified", out var values) ? values.FirstOrDefault() : null;
        return response.StatusCode == HttpStatusCode.NotModified
            ? new FeedValidators(etag ?? previous.ETag, lastModified ?? previous.LastModified)
            : new FeedValidators(etag, lastModified);
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static FetchOutcome TooLarge(string reason) => FetchOutcome.Fail(FeedErrorKind.TooLarge, reason);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    // A scheme of two letters or more: "C:\feeds\x.xml" is a Windows path, not a URL with scheme "c".
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]+:")]
    private static partial Regex SchemePattern();
}
