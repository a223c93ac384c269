using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace AlertBot.Feeds.Parsing;

/// <summary>
/// RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and CDF. Lenient about namespaces the way real feeds need (a feed in no
/// namespace, or RSS in Userland's namespace, reads like the real thing) yet strict where it matters: an element in an
/// unknown namespace never stands in for a core one, and only an entry's direct children are its fields.
/// </summary>
internal static partial class XmlFeedParser
{
    private static readonly HashSet<string> CoreNamespaces = new(StringComparer.Ordinal)
    {
        "",
        "http://purl.org/atom/ns#",
        "http://www.w3.org/2005/Atom",
        "http://purl.org/rss/1.0/",
        "http://my.netscape.com/rdf/simple/0.9/",
        "http://backend.userland.com/rss2",
        "http://backend.userland.com/rss",
        "http://purl.org/net/rss1.1#",
    };

    private static readonly Dictionary<string, string> ModulePrefixes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["http://purl.org/dc/elements/1.1/"] = "dc",
        ["http://purl.org/dc/terms/"] = "dcterms",
        ["http://purl.org/rss/1.0/modules/content/"] = "content",
        ["http://www.itunes.com/dtds/podcast-1.0.dtd"] = "itunes",
        ["http://search.yahoo.com/mrss/"] = "media",
        ["http://search.yahoo.com/mrss"] = "media",
        ["http://www.w3.org/1999/xhtml"] = "xhtml",
        ["http://www.w3.org/1999/02/22-rdf-syntax-ns#"] = "rdf",
    };

    private static readonly HashSet<string> VoidElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    };

    private const int MaxPersonLength = 200;

    private static readonly XName XmlBase = XNamespace.Xml + "base";
    private static readonly XName RdfAbout = XName.Get("about", "http://www.w3.org/1999/02/22-rdf-syntax-ns#");

    public static ParsedFeed Parse(string text, Uri? documentUri)
    {
        var root = XmlTreeReader.Read(EntityRewriter.Rewrite(SkipBeforeDeclaration(text)));
        return Key(root) switch
        {
            "rss" => ParseRss(root, FeedFormat.Rss091To20, documentUri),
            "rdf:rdf" => ParseRss(
                root,
                root.Elements().Any(e => e.Name.NamespaceName == "http://my.netscape.com/rdf/simple/0.9/")
                    ? FeedFormat.Rss090
                    : FeedFormat.Rss10,
                documentUri),
            "feed" => ParseAtom(root, documentUri),
            "channel" => ParseRss(root, FeedFormat.Cdf, documentUri),
            _ => throw new FeedFormatException($"not a feed: unknown root element <{root.Name.LocalName}>"),
        };
    }

    /// <summary>
    /// Comments and whitespace before the XML declaration (a CMS banner, a blank line from a template) make the document
    /// ill-formed, yet feedparser reads it and so do readers: what precedes a declaration that follows only comments
    /// is dropped. Anything else before it is left for the XML reader to reject.
    /// </summary>
    internal static string SkipBeforeDeclaration(string text)
    {
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (string.CompareOrdinal(text, i, "<!--", 0, 4) != 0)
            {
                break;
            }

            var end = text.IndexOf("-->", i + 4, StringComparison.Ordinal);
            if (end < 0)
            {
                return text;
            }

            i = end + 3;
        }

        return i > 0 && string.CompareOrdinal(text, i, "<?xml", 0, 5) == 0 ? text[i..] : text;
    }

    /// <summary>The name a parser switches on: core elements by lower-case local name, modules as "prefix:local".</summary>
    private static string Key(XElement element)
    {
        var local = element.Name.LocalName.ToLowerInvariant();
        var ns = element.Name.NamespaceName;
        if (CoreNamespaces.Contains(ns))
        {
            return local;
        }

        return ModulePrefixes.TryGetValue(ns, out var prefix) ? prefix + ":" + local : "{" + ns + "}" + local;
    }

    private static string? Attr(XElement element, string localName) =>
        element.Attributes()
            .FirstOrDefault(a => a.Name.Namespace == XNamespace.None &&
                                 string.Equals(a.Name.LocalName, localName, StringComparison.OrdinalIgnoreCase))
            ?.Value;

    private static ParsedFeed ParseRss(XElement root, FeedFormat format, Uri? documentUri)
    {
        var channel = format == FeedFormat.Cdf ? root : root.Elements().FirstOrDefault(e => Key(e) == "channel");
        var itemParents = channel is null || channel == root ? [root] : new[] { channel, root };
        var parser = new Context(format, documentUri);
        var entries = itemParents
            .SelectMany(p => p.Elements())
            .Where(e => Key(e) == "item")
            .Select(parser.RssItem)
            .ToList();
        var title = channel?.Elements().FirstOrDefault(e => Key(e) == "title") is { } t ? parser.Text(t, FeedTextTypes.Html) : null;
        var link = channel?.Elements().FirstOrDefault(e => Key(e) == "link" && e.Value.Trim().Length > 0)?.Value.Trim();
        return new ParsedFeed(format, title, link, entries);
    }

    private static ParsedFeed ParseAtom(XElement root, Uri? documentUri)
    {
        var format = Attr(root, "version")?.Trim() == "0.3" || root.Name.NamespaceName == "http://purl.org/atom/ns#"
            ? FeedFormat.Atom03
            : FeedFormat.Atom10;
        var parser = new Context(format, documentUri);
        var feedAuthor = root.Elements().FirstOrDefault(e => Key(e) == "author") is { } a ? Context.AtomPerson(a) : null;
        var entries = root.Elements()
            .Where(e => Key(e) == "entry")
            .Select(e => parser.AtomEntry(e) is var entry && entry.Author is null && feedAuthor is not null
                ? entry with { Author = feedAuthor }
                : entry)
            .ToList();
        var title = root.Elements().FirstOrDefault(e => Key(e) == "title") is { } t ? parser.Text(t, FeedTextTypes.Plain) : null;
        var link = root.Elements()
            .Where(e => Key(e) == "link" && (Attr(e, "rel") ?? "alternate") == "alternate")
            .Select(e => Attr(e, "href"))
            .FirstOrDefault(h => !string.IsNullOrWhiteSpace(h));
        return new ParsedFeed(format, title, link, entries);
    }

    private sealed class Context(FeedFormat format, Uri? documentUri)
    {
        public FeedEntry RssItem(XElement item)
        {
            string? id = format is FeedFormat.Rss10 or FeedFormat.Rss090 ? item.Attribute(RdfAbout)?.Value.Trim() : null;
            string? link = null;
            string? permalinkGuid = null;
            var links = new List<FeedLink>();
            FeedText? title = null, altTitle = null, mediaTitle = null, summary = null, altSummary = null, content = null;
            FeedPerson? author = null;
            string? published = null, updated = null;

            if (Attr(item, "href") is { Length: > 0 } cdfHref)
            {
                link = Resolve(cdfHref, item);
                links.Add(new FeedLink(link, "alternate", FeedTextTypes.Html));
            }

            if (Attr(item, "lastmod") is { Length: > 0 } lastMod)
            {
                updated = lastMod.Trim();
            }

            foreach (var child in item.Elements())
            {
                switch (Key(child))
                {
                    case "title":
                        title ??= Text(child, FeedTextTypes.Html);
                        break;
                    case "dc:title":
                        altTitle ??= Text(child, FeedTextTypes.Html);
                        break;
                    case "media:title":
                        mediaTitle ??= Text(child, FeedTextTypes.Plain);
                        break;
                    case "link":
                        if (Attr(child, "href") is { Length: > 0 } href)
                        {
                            links.Add(new FeedLink(Resolve(href, child), Rel(child), Attr(child, "type")));
                        }
                        else if (child.Value.Trim() is { Length: > 0 } text)
                        {
                            var resolved = Resolve(text, child);
                            link ??= resolved;
                            links.Add(new FeedLink(resolved, "alternate", FeedTextTypes.Html));
                        }

                        break;
                    case "guid":
                        var guid = child.Value.Trim();
                        if (guid.Length > 0)
                        {
                            id ??= guid;
                            if (!string.Equals(Attr(child, "isPermaLink")?.Trim(), "false", StringComparison.OrdinalIgnoreCase))
                            {
                                permalinkGuid ??= guid;
                            }
                        }

                        break;
                    case "description" or "summary":
                        // feedparser's rule, which real feeds rely on: the first of the two is the summary and a
                        // second, different one is the full content.
                        if (summary is null)
                        {
                            summary = Text(child, FeedTextTypes.Html);
                        }
                        else
                        {
                            content ??= Text(child, FeedTextTypes.Html);
                        }

                        break;
                    case "dc:description" or "itunes:summary" or "abstract":
                        altSummary ??= Text(child, FeedTextTypes.Html);
                        break;
                    case "content:encoded" or "fullitem":
                        content ??= Text(child, FeedTextTypes.Html);
                        break;
                    case "body" or "xhtml:body":
                        content ??= Text(child, FeedTextTypes.Xhtml);
                        break;
                    case "author" or "dc:creator" or "dc:author" or "itunes:author":
                        author ??= ParsePerson(child.Value);
                        break;
                    case "pubdate" or "dcterms:issued" or "issued":
                        published = child.Value.Trim();
                        break;
                    case "dc:date" or "dcterms:modified" or "modified":
                        updated = child.Value.Trim();
                        break;
                }
            }

            if (link is null && permalinkGuid is not null && IsAbsoluteHttp(permalinkGuid))
            {
                link = permalinkGuid;
                links.Insert(0, new FeedLink(link, "alternate", FeedTextTypes.Html));
            }

            link ??= links.FirstOrDefault(l => l.Rel == "alternate")?.Href;
            return new FeedEntry
            {
                Id = id,
                Link = link,
                Links = links,
                Title = title ?? altTitle ?? mediaTitle,
                Summary = summary ?? altSummary,
                Content = content,
                Author = author,
                Published = FeedDates.Parse(published),
                PublishedText = published,
                Updated = FeedDates.Parse(updated),
                UpdatedText = updated,
            };
        }

        public FeedEntry AtomEntry(XElement entry)
        {
            string? id = null;
            var links = new List<FeedLink>();
            FeedText? title = null, summary = null, content = null;
            FeedPerson? author = null, creator = null;
            string? published = null, updated = null;
            foreach (var child in entry.Elements())
            {
                switch (Key(child))
                {
                    case "id":
                        id ??= child.Value.Trim();
                        break;
                    case "title":
                        title ??= Text(child, FeedTextTypes.Plain);
                        break;
                    case "summary":
                        summary ??= Text(child, FeedTextTypes.Plain);
                        break;
                    case "content":
                        if (Attr(child, "src") is { Length: > 0 } src)
                        {
                            links.Add(new FeedLink(Resolve(src, child), "enclosure", Attr(child, "type")));
                        }
                        else
                        {
                            content ??= Text(child, FeedTextTypes.Plain);
                        }

                        break;
                    case "link":
                        var href = Attr(child, "href") ?? child.Value;
                        if (href.Trim().Length > 0)
                        {
                            links.Add(new FeedLink(Resolve(href, child), Rel(child), Attr(child, "type")));
                        }

                        break;
                    case "author":
                        author ??= AtomPerson(child);
                        break;
                    case "dc:creator" or "dc:author":
                        creator ??= ParsePerson(child.Value);
                        break;
                    case "published" or "issued" or "dcterms:issued":
                        published = child.Value.Trim();
                        break;
                    case "updated" or "modified" or "dc:date" or "dcterms:modified":
                        updated = child.Value.Trim();
                        break;
                }
            }

            return new FeedEntry
            {
                Id = string.IsNullOrEmpty(id) ? null : id,
                Link = links.FirstOrDefault(l => l.Rel == "alternate")?.Href,
                Links = links,
                Title = title,
                Summary = summary,
                Content = content,
                Author = author ?? creator,
                Published = FeedDates.Parse(published),
                PublishedText = published,
                Updated = FeedDates.Parse(updated),
                UpdatedText = updated,
            };
        }

        public static FeedPerson? AtomPerson(XElement element)
        {
            string? Child(params string[] names) =>
                element.Elements().FirstOrDefault(e => names.Contains(Key(e)))?.Value.Trim() is { Length: > 0 } v ? v : null;

            var name = Child("name");
            var email = Child("email");
            var uri = Child("uri", "url");
            if (name is null && email is null && uri is null)
            {
                return element.Value.Trim() is { Length: > 0 } text ? ParsePerson(text) : null;
            }

            return new FeedPerson(name, email, uri);
        }

        /// <summary>Reads a text construct, honouring Atom's type/mode, base64, inline XHTML and naked markup.</summary>
        public FeedText Text(XElement element, string defaultType)
        {
            var typeAttr = Attr(element, "type")?.Trim().ToLowerInvariant();
            var mode = Attr(element, "mode")?.Trim().ToLowerInvariant();
            var type = typeAttr switch
            {
                null => defaultType,
                "" or "text" or "plain" => FeedTextTypes.Plain,
                "html" => FeedTextTypes.Html,
                "xhtml" => FeedTextTypes.Xhtml,
                _ => typeAttr,
            };
            var isXml = type == FeedTextTypes.Xhtml || type.EndsWith("+xml", StringComparison.Ordinal) ||
                        type.EndsWith("/xml", StringComparison.Ordinal);
            var isBase64 = mode == "base64" ||
                           (format == FeedFormat.Atom10 && typeAttr is not null && !isXml && type.Contains('/', StringComparison.Ordinal) &&
                            !type.StartsWith("text/", StringComparison.Ordinal));

            string value;
            if (isBase64 && TryBase64(element.Value, out var decoded))
            {
                value = decoded;
            }
            // Atom's type="html" says the content is escaped HTML; an element inside is a wrapper, and its text is that HTML.
            else if (element.HasElements && !(format == FeedFormat.Atom10 && typeAttr == "html"))
            {
                // In an HTML field a CDATA block next to raw elements (Feedburner's <description><img/><![CDATA[<p>…]]>) is
                // more of the same HTML; only in declared XHTML is CDATA text to escape.
                value = InnerXml(element, stripWrapperDiv: format == FeedFormat.Atom10 && isXml, rawCData: !isXml);
                if (typeAttr is null)
                {
                    type = FeedTextTypes.Xhtml;
                }
            }
            else
            {
                value = element.Value;
            }

            value = Demoronize(value.Trim());
            if (type != FeedTextTypes.Plain && value.Contains('<', StringComparison.Ordinal))
            {
                value = RelativeUriAttribute().Replace(value, m =>
                    m.Groups["name"].Value + "=\"" + ResolveInMarkup(m.Groups["dq"].Success ? m.Groups["dq"].Value : m.Groups["sq"].Value, element) + "\"");
            }

            return new FeedText(value, type);
        }

        /// <summary>A relative URI inside markup, resolved like a link but kept readable (no percent-encoding added).</summary>
        private string ResolveInMarkup(string href, XElement context)
        {
            var trimmed = href.Trim();
            if (HasScheme().IsMatch(trimmed) || trimmed.StartsWith('#'))
            {
                return href;
            }

            var resolved = Resolve(trimmed, context);
            return Uri.TryCreate(resolved, UriKind.Absolute, out var uri) && HasScheme().IsMatch(resolved) ? uri.ToString() : href;
        }

        private string Resolve(string href, XElement context)
        {
            href = href.Trim();
            if (HasScheme().IsMatch(href))
            {
                return href;
            }

            Uri? baseUri = documentUri;
            foreach (var declared in context.AncestorsAndSelf().Reverse().Select(e => e.Attribute(XmlBase)?.Value.Trim()))
            {
                if (declared is { Length: > 0 } && (baseUri is null
                        ? Uri.TryCreate(declared, UriKind.Absolute, out var absolute)
                        : Uri.TryCreate(baseUri, declared, out absolute)) &&
                    absolute.Scheme is "http" or "https")
                {
                    baseUri = absolute;
                }
            }

            return baseUri is not null && Uri.TryCreate(baseUri, href, out var resolved) ? resolved.AbsoluteUri : href;
        }
    }

    private static string Rel(XElement link) => Attr(link, "rel")?.Trim() is { Length: > 0 } rel ? rel : "alternate";

    private static bool IsAbsoluteHttp(string value) =>
        value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private static bool TryBase64(string text, out string decoded)
    {
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(text.Trim()));
            return true;
        }
        catch (FormatException)
        {
            decoded = "";
            return false;
        }
    }

    /// <summary>"Name (email)", "Name &lt;email&gt;", "email (Name)", a bare email or a bare name.</summary>
    internal static FeedPerson? ParsePerson(string text)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (text.Length > MaxPersonLength)
        {
            text = text[..MaxPersonLength];
        }

        var match = EmailPattern().Match(text);
        if (!match.Success)
        {
            return new FeedPerson(text, null, null);
        }

        var rest = text.Remove(match.Index, match.Length).Replace("mailto:", "", StringComparison.OrdinalIgnoreCase)
            .Trim().Trim('(', ')', '<', '>', '[', ']').Trim();
        return new FeedPerson(rest.Length > 0 ? rest : null, match.Value, null);
    }

    /// <summary>
    /// C1 control characters in feed text are windows-1252 punctuation written by a tool that confused the two
    /// (don&amp;#146;t); nobody means a real C1 control in a headline.
    /// </summary>
    private static string Demoronize(string value)
    {
        if (!value.Any(c => c is >= '\u0080' and <= '\u009F'))
        {
            return value;
        }

        var cp1252 = Encoding.GetEncoding(1252);
        return string.Create(value.Length, value, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= '\u0080' and <= '\u009F' ? cp1252.GetString([(byte)c])[0] : c;
            }
        });
    }

    /// <summary>Markup inside an element as a string, namespace declarations dropped, text re-escaped.</summary>
    private static string InnerXml(XElement element, bool stripWrapperDiv, bool rawCData)
    {
        IEnumerable<XNode> nodes = element.Nodes();
        var children = element.Elements().ToList();
        if (stripWrapperDiv && children.Count == 1 && children[0].Name.LocalName == "div" &&
            element.Nodes().OfType<XText>().All(t => string.IsNullOrWhiteSpace(t.Value)))
        {
            nodes = children[0].Nodes();
        }

        var sb = new StringBuilder();
        foreach (var node in nodes)
        {
            WriteNode(node, sb, rawCData);
        }

        return sb.ToString();
    }

    private static void WriteNode(XNode node, StringBuilder sb, bool rawCData)
    {
        switch (node)
        {
            case XCData cdata when rawCData:
                sb.Append(cdata.Value);
                break;
            case XText text:
                sb.Append(text.Value.Replace("&", "&amp;", StringComparison.Ordinal)
                    .Replace("<", "&lt;", StringComparison.Ordinal)
                    .Replace(">", "&gt;", StringComparison.Ordinal));
                break;
            case XElement element:
                var name = element.Name.LocalName;
                sb.Append('<').Append(name);
                foreach (var attribute in element.Attributes().Where(a => !a.IsNamespaceDeclaration))
                {
                    var prefix = attribute.Name.Namespace == XNamespace.None
                        ? null
                        : element.GetPrefixOfNamespace(attribute.Name.Namespace);
                    sb.Append(' ').Append(prefix is null ? "" : prefix + ":").Append(attribute.Name.LocalName).Append("=\"")
                        .Append(attribute.Value.Replace("&", "&amp;", StringComparison.Ordinal)
                            .Replace("\"", "&quot;", StringComparison.Ordinal)
                            .Replace("<", "&lt;", StringComparison.Ordinal))
                        .Append('"');
                }

                if (!element.Nodes().Any() && VoidElements.Contains(name))
                {
                    sb.Append(" />");
                    break;
                }

                sb.Append('>');
                foreach (var child in element.Nodes())
                {
                    WriteNode(child, sb, rawCData);
                }

                sb.Append("</").Append(name).Append('>');
                break;
        }
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:")]
    private static partial Regex HasScheme();

    // The attributes of HTML that hold a URI a browser would resolve against the document's base.
    [GeneratedRegex(@"(?<![\w:\-])(?<name>href|src|cite|longdesc|action|background|poster)\s*=\s*(?:""(?<dq>[^""<>]*)""|'(?<sq>[^'<>]*)')", RegexOptions.IgnoreCase)]
    private static partial Regex RelativeUriAttribute();

    [GeneratedRegex(@"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")]
    private static partial Regex EmailPattern();
}
