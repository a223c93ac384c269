using System.Globalization;
using System.Text;

namespace AlertBot.Testing.Telegram;

/// <summary>
/// Parses text the way Telegram's HTML parse mode does: only its tags, only &amp;lt; &amp;gt; &amp;amp; &amp;quot; and
/// numeric entities, every tag closed in order. Gives the text a user sees, or the error Telegram would report.
/// </summary>
public static class TelegramHtmlChecker
{
    private static readonly HashSet<string> Tags = new(StringComparer.OrdinalIgnoreCase)
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
        "blockquote", "tg-emoji",
    };

    public sealed record Result(string Text, string? Error);

    public static Result Parse(string html)
    {
        var text = new StringBuilder(html.Length);
        var open = new Stack<string>();
        var i = 0;
        while (i < html.Length)
        {
            var c = html[i];
            if (c == '<')
            {
                var close = html.IndexOf('>', i);
                if (close < 0)
                {
                    return Fail($"Unclosed start tag at byte offset {i}");
                }

                var tag = html[(i + 1)..close];
                var closing = tag.StartsWith('/');
                var name = (closing ? tag[1..] : tag).Split(' ', 2)[0].Trim();
                if (!Tags.Contains(name))
                {
                    return Fail($"Unsupported start tag \"{name}\" at byte offset {i}");
                }

                if (closing)
                {
                    if (open.Count == 0 || !string.Equals(open.Pop(), name, StringComparison.OrdinalIgnoreCase))
                    {
                        return Fail($"Unmatched end tag at byte offset {i}, expected another one");
                    }
                }
                else
                {
                    if (string.Equals(name, "a", StringComparison.OrdinalIgnoreCase) && !tag.Contains("href=\"", StringComparison.Ordinal))
                    {
                        return Fail($"Tag \"a\" must have attribute href at byte offset {i}");
                    }

                    if (tag.Count(ch => ch == '"') % 2 != 0)
                    {
                        return Fail($"Unclosed attribute value at byte offset {i}");
                    }

                    open.Push(name);
                }

                i = close + 1;
                continue;
            }

            if (c == '>')
            {
                // Telegram tolerates a bare '>' but we hold ourselves to its documented rule.
                return Fail($"Character '>' must be escaped at byte offset {i}");
            }

            if (c == '&')
            {
                var semicolon = html.IndexOf(';', i);
                if (semicolon < 0 || semicolon - i > 10)
                {
                    return Fail($"Character entity expected at byte offset {i}");
                }

                var entity = html[(i + 1)..semicolon];
                var decoded = entity switch
                {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    _ when entity.StartsWith("#x", StringComparison.OrdinalIgnoreCase) &&
                           int.TryParse(entity[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) => char.ConvertFromUtf32(hex),
                    _ when entity.StartsWith('#') &&
                           int.TryParse(entity[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var dec) => char.ConvertFromUtf32(dec),
                    _ => null,
                };
                if (decoded is null)
                {
                    return Fail($"Unsupported HTML entity \"&{entity};\" at byte offset {i}");
                }

                text.Append(decoded);
                i = semicolon + 1;
                continue;
            }

            text.Append(c);
            i++;
        }

        return open.Count > 0 ? Fail($"Can't find end tag corresponding to start tag \"{open.Peek()}\"") : new Result(text.ToString(), null);
    }

    private static Result Fail(string error) => new("", error);
}
