using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace AlertBot.Feeds.Text;

/// <summary>
/// HTML to the plain text every later stage matches and quotes: scripts and styles dropped, entities decoded, block
/// elements and &lt;br&gt; turned into line breaks, runs of whitespace collapsed. Page furniture is dropped too, so it
/// neither matches nor summarises: figure captions, bylines and share or "related" boxes (by class or id), links such
/// as "Live updates: …" or "Read more" together with a paragraph that holds nothing else, and WordPress's "The post …
/// appeared first on …" footer. AngleSharp does the HTML5 parsing so
/// broken real-world markup reads the way a browser would read it.
/// </summary>
public sealed partial class HtmlText
{
    // The elements of HTML (and the obsolete ones feeds still carry). A '<' that opens none of them is text: a headline
    // such as "Houthis strike <tanker>" keeps its word, as feedparser keeps it.
    private const string KnownElements =
        "a|abbr|acronym|address|area|article|aside|audio|b|base|basefont|bdi|bdo|big|blink|blockquote|body|br|button|" +
        "canvas|caption|center|cite|code|col|colgroup|data|datalist|dd|del|details|dfn|dialog|dir|div|dl|dt|em|embed|" +
        "fieldset|figcaption|figure|font|footer|form|frame|frameset|h[1-6]|head|header|hgroup|hr|html|i|iframe|img|" +
        "input|ins|kbd|label|legend|li|link|main|map|mark|marquee|menu|meta|meter|nav|nobr|noembed|noframes|noscript|" +
        "object|ol|optgroup|option|output|p|param|picture|pre|progress|q|rp|rt|ruby|s|samp|script|search|section|" +
        "select|slot|small|source|span|strike|strong|style|sub|summary|sup|svg|math|table|tbody|td|template|textarea|" +
        "tfoot|th|thead|time|title|tr|track|tt|u|ul|var|video|wbr|xmp";

    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "head", "title", "iframe", "object", "embed", "svg", "math", "select", "button",
    };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
        "table", "tr", "thead", "tbody", "tfoot", "caption", "section", "article", "aside", "header", "footer", "nav",
        "figure", "figcaption", "hr", "address", "main", "details", "summary", "form", "fieldset",
    };

    // Page furniture around the reporting: a class or id holding one of these names marks the element as such.
    private static readonly string[] FurnitureMarkers =
    [
        "byline", "share", "social", "newsletter", "related", "read-more", "readmore", "more-on", "recommended", "promo",
    ];

    // A link (or a paragraph holding only a link) with one of these texts points away from the article.
    private static readonly string[] FurnitureLinkPrefixes =
    [
        "read more", "read the full", "continue reading", "live updates", "live:", "latest updates", "follow the latest",
        "share on", "share this", "tweet this", "email this", "print this", "view comments", "sign up", "subscribe",
        "click here", "related:", "more:", "see also", "watch:", "listen:",
    ];

    private const int MaxDepth = 200;

    private const int MaxFurnitureText = 600;

    private readonly HtmlParser parser = new(new HtmlParserOptions { IsScripting = false });

    /// <summary>Plain text with one line per block.</summary>
    public string ToText(string html)
    {
        var text = Extract(html);

        // Markup escaped twice (&amp;lt;p&amp;gt; in the source, or escaped HTML inside a CDATA block) is still
        // markup after one decoding; a second pass reads it, so no tag and no link target reaches an alert.
        return Markup().IsMatch(text) ? Extract(text) : text;
    }

    private string Extract(string html)
    {
        if (!NeedsParsing(html))
        {
            return CollapseLines(html);
        }

        var document = parser.ParseDocument(StrayAngle().Replace(html, "&lt;"));
        var sb = new StringBuilder(html.Length);
        if (document.Body is { } body)
        {
            Walk(body, sb, 0);
        }

        return CollapseLines(sb.ToString());
    }

    /// <summary>Plain text on one line (titles).</summary>
    public string ToLine(string html) => ToText(html).Replace('\n', ' ');

    /// <summary>Text that was never markup: only whitespace is tidied.</summary>
    public static string Plain(string text, bool singleLine) =>
        singleLine ? CollapseLines(text).Replace('\n', ' ') : CollapseLines(text);

    private static bool NeedsParsing(string html) =>
        html.Contains('<', StringComparison.Ordinal) || html.Contains('&', StringComparison.Ordinal);

    private static void Walk(INode node, StringBuilder sb, int depth)
    {
        // Text nested deeper than any real article is dropped rather than risking the stack on hostile markup.
        if (depth > MaxDepth)
        {
            return;
        }

        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    sb.Append(text.Data);
                    break;
                case IElement element when Dropped.Contains(element.LocalName) || IsFurniture(element):
                    break;
                case IElement element:
                    var block = Blocks.Contains(element.LocalName);
                    if (block)
                    {
                        sb.Append('\n');
                    }

                    if (element.LocalName is "td" or "th")
                    {
                        sb.Append(' ');
                    }

                    Walk(element, sb, depth + 1);
                    if (block)
                    {
                        sb.Append('\n');
                    }

                    break;
            }
        }
    }

    private static bool IsFurniture(IElement element)
    {
        if (element.LocalName == "figcaption")
        {
            return true;
        }

        // Whole class tokens only ("byline", "share-buttons", "article-byline"), and never a box holding an article's
        // worth of text: a wrapper named "post has-share-bar" must not take the story with it.
        var names = $"{element.GetAttribute("class")} {element.Id}".ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (names.Any(IsFurnitureName) && element.TextContent.Length <= MaxFurnitureText)
        {
            return true;
        }

        if (element.GetAttribute("rel") is "author" || element.GetAttribute("itemprop") is "author")
        {
            return true;
        }

        if (element.LocalName is not ("a" or "p" or "div" or "li" or "span" or "strong" or "em" or "b"))
        {
            return false;
        }

        // A paragraph counts only when a link is all it holds: a sentence that merely ends in a link is reporting.
        var text = string.Join(' ', element.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (element.LocalName != "a" && (element.QuerySelector("a") is not { } link || link.TextContent.Trim().Length < text.Length - 2))
        {
            return text.StartsWith("The post ", StringComparison.Ordinal) && text.Contains(" appeared first on ", StringComparison.Ordinal);
        }

        return text.Length <= 160 && FurnitureLinkPrefixes.Any(p => text.StartsWith(p, StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsFurnitureName(string name) => FurnitureMarkers.Any(m =>
        name == m || name.StartsWith(m + "-", StringComparison.Ordinal) || name.StartsWith(m + "_", StringComparison.Ordinal) ||
        name.EndsWith("-" + m, StringComparison.Ordinal) || name.EndsWith("_" + m, StringComparison.Ordinal));

    /// <summary>Whitespace runs (including non-breaking spaces) become one space; blank lines disappear.</summary>
    private static string CollapseLines(string text)
    {
        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        var pendingLine = false;
        foreach (var c in text)
        {
            if (c is '\n' or '\r' or '\u2028' or '\u2029')
            {
                pendingLine = sb.Length > 0;
                pendingSpace = false;
            }
            else if (char.IsWhiteSpace(c) || c == '\u200B')
            {
                pendingSpace = sb.Length > 0 && !pendingLine;
            }
            else if (!char.IsControl(c))
            {
                if (pendingLine)
                {
                    sb.Append('\n');
                }
                else if (pendingSpace)
                {
                    sb.Append(' ');
                }

                pendingLine = pendingSpace = false;
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>A '<' that opens no HTML element, end tag, comment, CDATA block or doctype: text to keep.</summary>
    [GeneratedRegex("<(?!/?(?:" + KnownElements + @")(?=[\s/>])|!--|!\[CDATA\[|!doctype)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StrayAngle();

    /// <summary>A start or end tag of a known element, as it would read once its escaping is undone.</summary>
    [GeneratedRegex("</?(?:" + KnownElements + @")(?:\s[^<>]*)?/?>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Markup();
}
