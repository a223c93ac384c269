using System.Globalization;
using System.Text;
using AlertBot.Core.Matching;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;

namespace AlertBot.Telegram.Sending;

/// <summary>
/// An <see cref="AlertMessage"/> as Telegram HTML: the title in bold linked to the article, source and time, the
/// sentences, why it matched, and the link. Fits in one message: the sentences are what gets shortened.
/// </summary>
public static class AlertHtmlRenderer
{
    private const int MaxTitle = 300;
    private const int MaxSource = 100;
    private const int MaxMatchLines = 10;
    private const int MaxMatchPart = 120;
    private const int MinUsefulSentence = 40;
    private const int MaxAlso = 400;

    public static string Render(AlertMessage message, int maxLength = TelegramHtml.MaxMessageLength)
    {
        if (message.Digest.Count > 0)
        {
            return RenderDigest(message, maxLength);
        }

        var link = SafeLink(message.Link);
        var head = new Part();
        var title = TelegramHtml.Shorten(OneLine(message.Title), MaxTitle);
        if (title.Length == 0)
        {
            title = "(untitled)";
        }

        head.Html.Append("<b>");
        if (link is not null)
        {
            head.Html.Append("<a href=\"").Append(TelegramHtml.EscapeAttribute(link)).Append("\">");
        }

        head.Text(title);
        if (link is not null)
        {
            head.Html.Append("</a>");
        }

        head.Html.Append("</b>");
        head.Text("\n" + TelegramHtml.Shorten(OneLine(message.Source), MaxSource));
        if (message.PublishedAt is { } published)
        {
            head.Text(" · " + published.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        }

        if (StoryMessages.AlsoLine(message) is { Length: > 0 } also)
        {
            head.Text("\n" + TelegramHtml.Shorten(also, MaxAlso));
        }

        var tail = new Part();
        var reasons = message.Matches.DistinctBy(m => (m.Term.ToUpperInvariant(), m.Alias.ToUpperInvariant(), m.Field)).ToList();
        if (reasons.Count > 0)
        {
            tail.Text("\n\nMatched:");
            foreach (var reason in reasons.Take(MaxMatchLines))
            {
                tail.Text("\n• ");
                tail.Html.Append("<b>");
                tail.Text(TelegramHtml.Shorten(OneLine(reason.Term), MaxMatchPart));
                tail.Html.Append("</b>");
                var alias = string.Equals(reason.Alias, reason.Term, StringComparison.OrdinalIgnoreCase)
                    ? ""
                    : $" as “{TelegramHtml.Shorten(OneLine(reason.Alias), MaxMatchPart)}”";
                tail.Text($"{alias} in the {(reason.Field == MatchField.Title ? "title" : "text")}");
            }

            if (reasons.Count > MaxMatchLines)
            {
                tail.Text(string.Create(CultureInfo.InvariantCulture, $"\n• and {reasons.Count - MaxMatchLines} more"));
            }
        }

        if (link is not null)
        {
            tail.Text("\n\n");
            tail.Html.Append("<a href=\"").Append(TelegramHtml.EscapeAttribute(link)).Append("\">");
            tail.Text("Read the article");
            tail.Html.Append("</a>");
        }

        // The sentences take what the fixed parts leave; the last one that fits is cut at a word.
        var body = new Part();
        var budget = maxLength - head.Length - tail.Length;
        for (var index = 0; index < message.Sentences.Count; index++)
        {
            var sentence = OneLine(message.Sentences[index]);
            if (sentence.Length == 0)
            {
                continue;
            }

            var room = budget - body.Length - (body.Length == 0 ? 2 : 1);
            if (room < Math.Min(MinUsefulSentence, sentence.Length))
            {
                break;
            }

            body.Text(body.Length == 0 ? "\n\n" : "\n");
            body.Segments(Highlighting.Segments(message.Sentences[index], message.Highlights, index, room));
        }

        return head.Html.Append(body.Html).Append(tail.Html).ToString();
    }

    /// <summary>A digest: its title in bold, then one block per story (linked title, source, matched terms).</summary>
    private static string RenderDigest(AlertMessage digest, int maxLength)
    {
        var text = new Part();
        text.Html.Append("<b>");
        text.Text(TelegramHtml.Shorten(OneLine(digest.Title), MaxTitle));
        text.Html.Append("</b>");
        var shown = 0;
        foreach (var entry in digest.Digest)
        {
            var block = new Part();
            block.Text("\n\n• ");
            var link = SafeLink(entry.Link);
            if (link is not null)
            {
                block.Html.Append("<a href=\"").Append(TelegramHtml.EscapeAttribute(link)).Append("\">");
            }

            block.Text(TelegramHtml.Shorten(OneLine(entry.Title), MaxTitle));
            if (link is not null)
            {
                block.Html.Append("</a>");
            }

            block.Text("\n" + TelegramHtml.Shorten(OneLine(entry.Source), MaxSource));
            if (entry.AlsoSources.Count > 0)
            {
                block.Text(" (" + TelegramHtml.Shorten(StoryMessages.AlsoLine(entry.AlsoSources), MaxAlso) + ")");
            }

            if (entry.Terms.Count > 0)
            {
                block.Text(" · matched: ");
                block.Html.Append("<b>");
                block.Text(TelegramHtml.Shorten(string.Join(", ", entry.Terms.Select(OneLine)), MaxMatchPart));
                block.Html.Append("</b>");
            }

            // Room is kept for the closing count line.
            if (text.Length + block.Length > maxLength - 40)
            {
                break;
            }

            text.Html.Append(block.Html);
            text.Add(block.Length);
            shown++;
        }

        var hidden = digest.Digest.Count - shown;
        var more = digest.Sentences.Count > 0 ? digest.Sentences[0] : null;
        if (hidden > 0)
        {
            text.Text(string.Create(CultureInfo.InvariantCulture, $"\n\n…and {hidden} more stories in this digest."));
        }
        else if (more is not null)
        {
            text.Text("\n\n" + TelegramHtml.Shorten(OneLine(more), 40));
        }

        return text.Html.ToString();
    }

    /// <summary>Only http(s) links become anchors: anything else could be a script or a local path.</summary>
    private static string? SafeLink(string? link) =>
        Uri.TryCreate(link?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.AbsoluteUri
            : null;

    private static string OneLine(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Replace("\0", "", StringComparison.Ordinal);

    /// <summary>Markup with the length of its text as Telegram counts it once the markup is parsed away.</summary>
    private sealed class Part
    {
        public StringBuilder Html { get; } = new();

        public int Length { get; private set; }

        public void Text(string text)
        {
            Html.Append(TelegramHtml.Escape(text));
            Length += text.Length;
        }

        /// <summary>Matched terms in bold.</summary>
        public void Segments(IReadOnlyList<TextSegment> segments)
        {
            Html.Append(Highlighting.Render(segments, TelegramHtml.Escape, "<b>", "</b>"));
            Length += segments.Sum(s => s.Text.Length);
        }

        public void Add(int length) => Length += length;
    }
}
