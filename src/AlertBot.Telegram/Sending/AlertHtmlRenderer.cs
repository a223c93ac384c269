using System.Globalization;
using System.Text;
using AlertBot.Core.Matching;
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

    public static string Render(AlertMessage message, int maxLength = TelegramHtml.MaxMessageLength)
    {
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
        foreach (var raw in message.Sentences)
        {
            var sentence = OneLine(raw);
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
            body.Text(TelegramHtml.Shorten(sentence, room));
        }

        return head.Html.Append(body.Html).Append(tail.Html).ToString();
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
    }
}
