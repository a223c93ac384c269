using System.Text;

namespace AlertBot.Discord.Alerts;

/// <summary>
/// The clean shortening that keeps text within Discord's length limits, and markdown escaping. The limits themselves
/// are Discord.Net's (<see cref="Discord.EmbedBuilder.MaxTitleLength"/>, <see cref="Discord.DiscordConfig.MaxMessageSize"/>
/// and the like): its builders refuse what exceeds them, so the renderer measures against the same numbers.
/// </summary>
internal static class DiscordText
{
    private const char Ellipsis = '…';

    /// <summary>
    /// At most <paramref name="max"/> UTF-16 units (Discord counts characters; a unit count is never smaller), cut at
    /// a word boundary when one lies in the last fifth, never inside a surrogate pair, marked with an ellipsis.
    /// </summary>
    public static string Shorten(string text, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (text.Length <= max)
        {
            return text;
        }

        var cut = max - 1;
        if (char.IsLowSurrogate(text[cut]) && cut > 0)
        {
            cut--;
        }

        var space = text.LastIndexOfAny([' ', '\n', '\t'], cut);
        if (space > 0 && space >= cut - (max / 5))
        {
            cut = space;
        }

        var head = text[..cut].TrimEnd();

        // A trailing backslash would escape our ellipsis and leave a stray markdown escape.
        while (head.EndsWith('\\'))
        {
            head = head[..^1];
        }

        return head + Ellipsis;
    }

    /// <summary>Feed text rendered literally: Discord markdown and masked links have no effect.</summary>
    public static string EscapeMarkdown(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '~' or '`' or '|' or '[' or ']' or '>' or '#' or '-' && NeedsEscape(c, builder))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    // Headings, quotes and list markers only mean something at the start of a line.
    private static bool NeedsEscape(char c, StringBuilder soFar) =>
        c is not ('>' or '#' or '-') || soFar.Length == 0 || soFar[^1] == '\n';
}
