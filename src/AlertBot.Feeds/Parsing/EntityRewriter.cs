using System.Globalization;
using System.Net;
using System.Text;

namespace AlertBot.Feeds.Parsing;

/// <summary>
/// Makes real-world feed text acceptable to a DTD-less XML parser without ever expanding a DTD entity:
/// HTML named entities (&amp;nbsp; &amp;eacute; &amp;mdash; ...) become numeric references, any other unknown entity
/// and any bare ampersand become a literal "&amp;", and "&amp;#X41;" becomes the XML-legal "&amp;#x41;".
/// CDATA sections and comments are copied untouched. Because entities declared in a DOCTYPE are turned into literal
/// text here, a billion-laughs document parses as a few harmless strings instead of expanding.
/// </summary>
internal static class EntityRewriter
{
    private const int MaxEntityNameLength = 32;

    public static string Rewrite(string text)
    {
        if (!text.Contains('&', StringComparison.Ordinal))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 64);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '<' && CopyVerbatim(text, ref i, sb, "<![CDATA[", "]]>"))
            {
                continue;
            }

            if (c == '<' && CopyVerbatim(text, ref i, sb, "<!--", "-->"))
            {
                continue;
            }

            if (c != '&')
            {
                sb.Append(c);
                i++;
                continue;
            }

            i = RewriteAmpersand(text, i, sb);
        }

        return sb.ToString();
    }

    private static bool CopyVerbatim(string text, ref int i, StringBuilder sb, string open, string close)
    {
        if (string.CompareOrdinal(text, i, open, 0, open.Length) != 0)
        {
            return false;
        }

        var end = text.IndexOf(close, i + open.Length, StringComparison.Ordinal);
        end = end < 0 ? text.Length : end + close.Length;
        sb.Append(text, i, end - i);
        i = end;
        return true;
    }

    /// <summary>Handles the '&amp;' at <paramref name="at"/>; returns the index after what it consumed.</summary>
    private static int RewriteAmpersand(string text, int at, StringBuilder sb)
    {
        var semicolon = text.IndexOf(';', at + 1, Math.Min(MaxEntityNameLength + 2, text.Length - at - 1));
        if (semicolon < 0)
        {
            sb.Append("&amp;");
            return at + 1;
        }

        var name = text.AsSpan(at + 1, semicolon - at - 1);
        if (name.Length > 1 && name[0] == '#')
        {
            var isHex = name[1] is 'x' or 'X';
            var digits = isHex ? name[2..] : name[1..];
            var code = -1;
            var valid = digits.Length is > 0 and <= 8 && (isHex
                ? int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out code)
                : int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out code));
            if (valid && IsXmlChar(code))
            {
                sb.Append("&#").Append(isHex ? "x" : "").Append(digits).Append(';');
            }
            else
            {
                // A reference to a character XML forbids would abort the whole parse; keep it as text instead.
                sb.Append("&amp;");
                return at + 1;
            }

            return semicolon + 1;
        }

        if (name is "amp" or "lt" or "gt" or "quot" or "apos")
        {
            sb.Append(text, at, semicolon - at + 1);
            return semicolon + 1;
        }

        if (name.Length > 0 && char.IsAsciiLetter(name[0]) && IsAsciiLetterOrDigits(name))
        {
            var decoded = WebUtility.HtmlDecode(string.Concat("&", name, ";"));
            if (decoded.Length is 1 or 2 && decoded[0] != '&')
            {
                sb.Append("&#").Append(char.ConvertToUtf32(decoded, 0).ToString(CultureInfo.InvariantCulture)).Append(';');
                return semicolon + 1;
            }
        }

        sb.Append("&amp;");
        return at + 1;
    }

    private static bool IsAsciiLetterOrDigits(ReadOnlySpan<char> name)
    {
        foreach (var ch in name)
        {
            if (!char.IsAsciiLetterOrDigit(ch))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsXmlChar(int code) =>
        code is 0x9 or 0xA or 0xD or (>= 0x20 and <= 0xD7FF) or (>= 0xE000 and <= 0xFFFD) or (>= 0x10000 and <= 0x10FFFF);
}
