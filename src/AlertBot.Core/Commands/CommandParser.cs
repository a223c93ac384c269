using System.Text;

namespace AlertBot.Core.Commands;

/// <summary>One argument as typed: its text, and whether the user quoted it (a quoted phrase stays one argument).</summary>
public readonly record struct CommandArgument(string Text, bool Quoted);

/// <summary>A command line split into its parts.</summary>
/// <param name="Name">Lower-case, without the slash: <c>watch</c>.</param>
/// <param name="BotName">The <c>@BotName</c> suffix of <c>/watch@BotName</c>, or null when there was none.</param>
/// <param name="RawArguments">Everything after the command word, trimmed, exactly as typed.</param>
public sealed record ParsedCommand(string Name, string? BotName, IReadOnlyList<CommandArgument> Arguments, string RawArguments)
{
    /// <summary>The arguments after the first <paramref name="skip"/>.</summary>
    public IReadOnlyList<CommandArgument> Rest(int skip) => Arguments.Skip(skip).ToArray();
}

/// <summary>The result of parsing: a command, or the reason the line is not one (said so a user can fix it).</summary>
public sealed record CommandParseResult(ParsedCommand? Command, string? Error)
{
    public bool Success => Command is not null;
}

/// <summary>
/// Splits <c>/cmd@BotName arg "quoted phrase"</c> into a command name, an optional bot name and arguments.
/// Pure and total: every input gives a command or an error message.
/// </summary>
public static class CommandParser
{
    // Telegram limits command names to 1-32 of a-z, 0-9 and underscore; Discord's are similar. Bot user names are
    // 5-32 of letters, digits and underscore; we only need to recognise them, not police their length.
    private const int MaxCommandNameLength = 32;

    public static CommandParseResult Parse(string? text)
    {
        var line = (text ?? "").Trim();
        if (line.Length == 0)
        {
            return Fail("The message is empty: commands start with '/', for example /help.");
        }

        if (line[0] != '/')
        {
            return Fail("Commands start with '/', for example /help.");
        }

        var end = 1;
        while (end < line.Length && !char.IsWhiteSpace(line[end]))
        {
            end++;
        }

        var head = line[1..end];
        string? botName = null;
        var at = head.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            botName = head[(at + 1)..];
            head = head[..at];
            if (botName.Length == 0 || !botName.All(IsNameChar))
            {
                return Fail("The bot name after '@' is not valid: write /command or /command@BotName.");
            }
        }

        if (head.Length == 0)
        {
            return Fail("A command name must follow '/', for example /help.");
        }

        if (head.Length > MaxCommandNameLength || !head.All(IsNameChar))
        {
            return Fail($"'/{Shorten(head)}' is not a command name: use letters, digits and '_' only, for example /help.");
        }

        var arguments = new List<CommandArgument>();
        var error = SplitArguments(line.AsSpan(end), arguments);
        return error is null
            ? new CommandParseResult(new ParsedCommand(head.ToLowerInvariant(), botName, arguments, line[end..].Trim()), null)
            : Fail(error);
    }

    /// <summary>
    /// The arguments of a text that is all arguments (a Discord option's value, the rest of a command line), split as
    /// a command line's are; or the reason they cannot be.
    /// </summary>
    public static (IReadOnlyList<CommandArgument> Arguments, string? Error) ParseArguments(string? text)
    {
        var arguments = new List<CommandArgument>();
        var error = SplitArguments((text ?? "").AsSpan(), arguments);
        return (arguments, error);
    }

    /// <summary>Splits on white space; a double-quoted part (straight, curly or guillemets) is one argument.</summary>
    private static string? SplitArguments(ReadOnlySpan<char> rest, List<CommandArgument> into)
    {
        var i = 0;
        var current = new StringBuilder();
        while (i < rest.Length)
        {
            var c = rest[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (ClosingQuoteFor(c) is { } closing)
            {
                var start = i + 1;
                var close = -1;
                for (var j = start; j < rest.Length; j++)
                {
                    if (IsClosingQuote(rest[j], closing))
                    {
                        close = j;
                        break;
                    }
                }

                if (close < 0)
                {
                    return "A quote is not closed: put the phrase between two quotes, for example \"Red Sea\".";
                }

                var phrase = rest[start..close].ToString();
                if (close + 1 < rest.Length && !char.IsWhiteSpace(rest[close + 1]))
                {
                    return "Put a space after the closing quote of a phrase.";
                }

                into.Add(new CommandArgument(phrase, Quoted: true));
                i = close + 1;
                continue;
            }

            current.Clear();
            while (i < rest.Length && !char.IsWhiteSpace(rest[i]))
            {
                if (ClosingQuoteFor(rest[i]) is not null)
                {
                    return "A quote must start a phrase: write \"Red Sea\", not Red\"Sea\".";
                }

                current.Append(rest[i]);
                i++;
            }

            into.Add(new CommandArgument(current.ToString(), Quoted: false));
        }

        return null;
    }

    // Straight quotes close themselves; typographic openers also accept a straight quote as the closer because phones
    // mix them. Single quotes are not phrase quotes: names like Qa'ani contain apostrophes.
    private static char? ClosingQuoteFor(char c) => c switch
    {
        '"' => '"',
        '\u201C' => '\u201D', // “ ”
        '\u201E' => '\u201C', // „ “
        '\u201D' => '\u201D', // ” ” (Swedish, and some keyboards)
        '\u00AB' => '\u00BB', // « »
        _ => null,
    };

    private static bool IsClosingQuote(char c, char expected) => c == expected || c == '"' ||
        (expected == '\u201D' && c == '\u201C');

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static string Shorten(string text) => Shorten(text, 20);

    /// <summary>At most <paramref name="max"/> characters and an ellipsis, never cutting a surrogate pair in half.</summary>
    internal static string Shorten(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut] + "…";
    }

    private static CommandParseResult Fail(string error) => new(null, error);
}
