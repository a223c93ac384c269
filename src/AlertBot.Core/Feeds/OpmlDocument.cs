using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace AlertBot.Core.Feeds;

/// <summary>One feed in an OPML subscription list.</summary>
public sealed record OpmlFeed(string Url, string? Title, string? HtmlUrl = null);

/// <summary>
/// OPML 1.0/2.0 subscription lists, the format every feed reader imports and exports: outlines with an
/// <c>xmlUrl</c>, nested in folders or not. Read with no DTD and no resolver, like feeds.
/// </summary>
public static class OpmlDocument
{
    /// <summary>The feeds of an OPML document, in document order, each URL once.</summary>
    /// <exception cref="InvalidDataException">Not OPML: a one-line reason.</exception>
    public static IReadOnlyList<OpmlFeed> Parse(Stream stream)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(stream, new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                MaxCharactersInDocument = 50_000_000,
            });
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new InvalidDataException($"not an OPML document: {ex.Message}", ex);
        }

        if (document.Root is not { Name.LocalName: "opml" } root)
        {
            throw new InvalidDataException($"not an OPML document: the root element is <{document.Root?.Name.LocalName}>, not <opml>.");
        }

        var feeds = new List<OpmlFeed>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var outline in root.Descendants().Where(e => e.Name.LocalName == "outline"))
        {
            var url = Attribute(outline, "xmlUrl") ?? Attribute(outline, "xmlurl") ?? Attribute(outline, "url");
            if (string.IsNullOrWhiteSpace(url) || !seen.Add(url.Trim()))
            {
                continue;
            }

            feeds.Add(new OpmlFeed(url.Trim(), Attribute(outline, "title") ?? Attribute(outline, "text"), Attribute(outline, "htmlUrl")));
        }

        return feeds;
    }

    public static string Write(string title, IEnumerable<OpmlFeed> feeds, DateTimeOffset created)
    {
        var body = new XElement("body");
        foreach (var feed in feeds)
        {
            var outline = new XElement("outline",
                new XAttribute("type", "rss"),
                new XAttribute("text", feed.Title ?? feed.Url),
                new XAttribute("title", feed.Title ?? feed.Url),
                new XAttribute("xmlUrl", feed.Url));
            if (feed.HtmlUrl is { Length: > 0 } html)
            {
                outline.Add(new XAttribute("htmlUrl", html));
            }

            body.Add(outline);
        }

        var document = new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement("opml",
                new XAttribute("version", "2.0"),
                new XElement("head",
                    new XElement("title", title),
                    new XElement("dateCreated", created.ToString("r", CultureInfo.InvariantCulture))),
                body));
        // Through bytes, so the declaration says utf-8 (a StringBuilder writer would declare utf-16).
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) }))
        {
            document.Save(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string? Attribute(XElement element, string name) =>
        element.Attributes().FirstOrDefault(a => a.Name.LocalName == name)?.Value is { Length: > 0 } value ? value : null;
}
