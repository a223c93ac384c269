using System.Text;

namespace AlertBot.Telegram.Sending;

/// <summary>
/// Telegram's HTML parse mode: only &lt; &gt; &amp; and &quot; are named entities, and text is measured after the
/// tags and entities are parsed away.
/// </summary>
public static class TelegramHtml
{
    /// <summary>The most characters a message may have once entities are parsed.</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>Escapes text between tags.</summary>
    public static string Escape(string text) => Escape(text, attribute: false);

    /// <summary>Escapes a double-quoted attribute value (quotes too).</summary>
    public static string EscapeAttribute(string text) => Escape(text, attribute: true);

    private static string Escape(string text, bool attribute)
    {
        if (text.AsSpan().IndexOfAny(attribute ? "<>&\"" : "<>&") < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '"' when attribute => "&quot;",
                _ => null,
            } ?? c.ToString());
        }

        return builder.ToString();
    }

    /// <summary>
    /// Cuts plain text (before escaping, so never inside an entity or a tag) to at most <paramref name="max"/>
    /// characters, at a word boundary when one is near, with an ellipsis; never splits a surrogate pair.
    /// </summary>
    public static string Shorten(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        if (max <= 1)
        {
            return max == 1 ? "…" : "";
        }

        var cut = max - 1;
        var space = text.LastIndexOf(' ', cut - 1, Math.Min(cut, 40));
        if (space > 0)
        {
            cut = space;
        }
        else if (char.IsLowSurrogate(text[cut]))
        {
            cut--;
        }

        return text[..cut].TrimEnd() + "…";
    }
}
