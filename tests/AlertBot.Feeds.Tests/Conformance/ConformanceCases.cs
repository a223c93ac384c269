using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlertBot.Feeds.Parsing;

namespace AlertBot.Feeds.Tests.Conformance;

public sealed record ConformanceCheck(string Path, string Expected, string? Actual)
{
    public bool Passed => Actual == Expected;
}

public sealed record ConformanceCase(string File, string Folder, string Format, byte[] Bytes, IReadOnlyList<(string Path, string Expected)> Checks)
{
    /// <summary>The HTTP headers the original test served the file with ("Header:" lines in its leading comment).</summary>
    public IReadOnlyDictionary<string, string> Headers => ConformanceCases.HeadersOf(Encoding.Latin1.GetString(Bytes));
}

/// <summary>
/// Loads feedparser's conformance cases (Conformance/cases.json) and maps feedparser's result vocabulary onto
/// AlertBot's <see cref="FeedEntry"/>.
/// </summary>
public static partial class ConformanceCases
{
    /// <summary>
    /// The original suite serves every file from a local web server at this address; relative links in
    /// http_*_docuri cases resolve against it, so the harness passes the same document address.
    /// </summary>
    private const string DocumentRoot = "http://127.0.0.1:8097/";

    private static readonly Lazy<IReadOnlyList<ConformanceCase>> Loaded = new(Load);

    public static IReadOnlyList<ConformanceCase> All => Loaded.Value;

    public static ConformanceCase Get(string file) => All.Single(c => c.File == file);

    public static IReadOnlyList<ConformanceCheck> Evaluate(ConformanceCase testCase)
    {
        var headers = testCase.Headers;
        var charset = headers.TryGetValue("content-type", out var contentType) && CharsetPattern().Match(contentType) is { Success: true } m
            ? m.Groups[1].Value
            : null;
        var documentUri = new Uri(DocumentRoot + testCase.File);
        if (headers.TryGetValue("content-location", out var location))
        {
            documentUri = new Uri(documentUri, location);
        }

        ParsedFeed feed;
        try
        {
            feed = FeedParser.Parse(testCase.Bytes, charset, documentUri);
        }
        catch (FeedFormatException ex)
        {
            return testCase.Checks.Select(c => new ConformanceCheck(c.Path, c.Expected, "<rejected: " + ex.Message + ">")).ToList();
        }

        return testCase.Checks.Select(c => new ConformanceCheck(c.Path, c.Expected, Resolve(feed, c.Path))).ToList();
    }

    /// <summary>feedparser's path (entries[0].title_detail.value, ...) read from our model; null when absent.</summary>
    public static string? Resolve(ParsedFeed feed, string path)
    {
        var m = PathPattern().Match(path);
        if (!m.Success)
        {
            throw new ArgumentException($"unmapped path {path}", nameof(path));
        }

        var index = int.Parse(m.Groups["i"].Value, CultureInfo.InvariantCulture);
        if (index >= feed.Entries.Count)
        {
            return null;
        }

        var e = feed.Entries[index];
        var field = m.Groups["f"].Value;
        var link = LinkPattern().Match(field);
        if (link.Success)
        {
            var n = int.Parse(link.Groups["n"].Value, CultureInfo.InvariantCulture);
            var l = n < e.Links.Count ? e.Links[n] : null;
            return link.Groups["p"].Value switch
            {
                "href" => l?.Href,
                "rel" => l?.Rel,
                "type" => l?.Type,
                _ => throw new ArgumentException($"unmapped path {path}", nameof(path)),
            };
        }

        // feedparser's summary falls back to the content when an entry has no summary of its own.
        var summary = e.Summary ?? e.Content;
        return field switch
        {
            "title" or "title_detail.value" => e.Title?.Value,
            "title_detail.type" => e.Title?.Type,
            "link" => e.Link,
            "id" or "guid" => e.Id,
            "summary" or "description" or "summary_detail.value" => summary?.Value,
            "summary_detail.type" => summary?.Type,
            "content[0].value" => e.Content?.Value,
            "content[0].type" => e.Content?.Type,
            "author" => e.Author?.Display,
            "author_detail.name" => e.Author?.Name,
            "author_detail.email" => e.Author?.Email,
            "published" => e.PublishedText,
            "updated" => e.UpdatedText,
            "published_parsed" => Iso(e.Published),
            "updated_parsed" => Iso(e.Updated),
            _ => throw new ArgumentException($"unmapped path {path}", nameof(path)),
        };
    }

    internal static IReadOnlyDictionary<string, string> HeadersOf(string text)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var end = text.IndexOf("-->", StringComparison.Ordinal);
        if (end < 0)
        {
            return headers;
        }

        foreach (Match h in HeaderPattern().Matches(text[..end]))
        {
            headers[h.Groups["name"].Value.Trim()] = h.Groups["value"].Value.Trim();
        }

        return headers;
    }

    private static string? Iso(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static List<ConformanceCase> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Conformance", "cases.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new List<ConformanceCase>();
        foreach (var c in document.RootElement.EnumerateArray())
        {
            var bytes = c.TryGetProperty("xml_bytes_base64", out var b64) && b64.ValueKind == JsonValueKind.String
                ? Convert.FromBase64String(b64.GetString()!)
                : Encoding.UTF8.GetBytes(c.GetProperty("xml").GetString()!);
            var checks = c.GetProperty("checks").EnumerateArray()
                .Select(k => (k.GetProperty("path").GetString()!, k.GetProperty("expected").GetString()!))
                .ToList();
            cases.Add(new ConformanceCase(
                c.GetProperty("file").GetString()!,
                c.GetProperty("folder").GetString()!,
                c.GetProperty("format").GetString()!,
                bytes,
                checks));
        }

        return cases;
    }

    [GeneratedRegex(@"^entries\[(?<i>\d+)\]\.(?<f>.+)$")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"^links\[(?<n>\d+)\]\.(?<p>\w+)$")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^\s*Header:\s*(?<name>[A-Za-z\-]+):(?<value>.*)$", RegexOptions.Multiline)]
    private static partial Regex HeaderPattern();

    [GeneratedRegex(@"charset\s*=\s*[""']?([A-Za-z0-9._:\-]+)", RegexOptions.IgnoreCase)]
    private static partial Regex CharsetPattern();
}
