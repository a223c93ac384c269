using System.Text;
using AngleSharp.Html.Parser;

namespace AlertBot.Feeds.Discovery;

/// <summary>A feed a web page announces with <c>&lt;link rel="alternate" type="application/rss+xml" href="…"&gt;</c>.</summary>
public sealed record DiscoveredFeed(string Url, string? Title, string Type);

/// <summary>
/// Feed autodiscovery, as feed readers (miniflux, NetNewsWire) do it: when the address someone gave is a web page, its
/// <c>&lt;link rel="alternate"&gt;</c> elements of an RSS, Atom or JSON Feed type name the feeds behind it. Only
/// http(s) links are kept: a page must not point AlertBot at a local file.
/// </summary>
public static class FeedDiscovery
{
    private static readonly string[] FeedTypes =
    [
        "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "application/rdf+xml",
    ];

    /// <summary>True when the bytes start like an HTML document (after a BOM, whitespace and comments).</summary>
    public static bool LooksLikeHtml(byte[] body)
    {
        var head = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 1024)).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        while (head.StartsWith("<!--", StringComparison.Ordinal) && head.IndexOf("-->", StringComparison.Ordinal) is var end and >= 0)
        {
            head = head[(end + 3)..].TrimStart();
        }

        return head.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase) ||
               head.StartsWith("<html", StringComparison.OrdinalIgnoreCase) ||
               head.StartsWith("<head", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The feeds the page links to, in document order, each URL once.</summary>
    public static IReadOnlyList<DiscoveredFeed> Find(byte[] body, string? charset, Uri? pageUri)
    {
        var encoding = Encoding.UTF8;
        if (charset is not null)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset);
            }
            catch (ArgumentException)
            {
                // An unknown charset label: UTF-8 reads the ASCII of the <link> elements all the same.
            }
        }

        var document = new HtmlParser().ParseDocument(encoding.GetString(body));
        var baseUri = pageUri;
        if (document.QuerySelector("base[href]")?.GetAttribute("href") is { } baseHref &&
            Uri.TryCreate(pageUri, baseHref, out var declared))
        {
            baseUri = declared;
        }

        var found = new List<DiscoveredFeed>();
        foreach (var link in document.QuerySelectorAll("link[rel][href][type]"))
        {
            var rel = link.GetAttribute("rel")!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var type = link.GetAttribute("type")!.Split(';')[0].Trim().ToLowerInvariant();
            if (!rel.Contains("alternate", StringComparer.OrdinalIgnoreCase) || !FeedTypes.Contains(type))
            {
                continue;
            }

            var href = link.GetAttribute("href")!.Trim();
            var resolved = baseUri is null ? Uri.TryCreate(href, UriKind.Absolute, out var absolute) ? absolute : null
                : Uri.TryCreate(baseUri, href, out var relative) ? relative : null;
            if (resolved is null || (resolved.Scheme != Uri.UriSchemeHttp && resolved.Scheme != Uri.UriSchemeHttps) ||
                found.Any(f => f.Url == resolved.AbsoluteUri))
            {
                continue;
            }

            var title = link.GetAttribute("title")?.Trim();
            found.Add(new DiscoveredFeed(resolved.AbsoluteUri, string.IsNullOrEmpty(title) ? null : title, type));
        }

        return found;
    }
}
