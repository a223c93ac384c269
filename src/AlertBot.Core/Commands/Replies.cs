using System.Globalization;

namespace AlertBot.Core.Commands;

/// <summary>The wording every command shares: errors, usage, refusals, counts, times, and text cut to fit a chat.</summary>
internal static class Replies
{
    private const int MaxExcerptLength = 300;
    private const int MaxShownLength = 150;

    public static CommandReply Error(string text) => new(text, IsError: true);

    public static CommandReply Usage(string problem, string usage) => Error($"{problem}\nUsage:\n{usage}");

    public static CommandReply Refused(string what) =>
        Error($"Only an admin of this chat can {what}. Nothing was changed.");

    public static CommandReply NotSubscribed() =>
        Error("This chat is not subscribed yet: an admin can start with /subscribe.");

    public static string Plural(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    public static string Stamp(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays % 1 == 0 ? Plural((int)span.TotalDays, "day")
        : span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? Plural((int)span.TotalHours, "hour")
        : span.TotalMinutes >= 1 && span.TotalMinutes % 1 == 0 ? Plural((int)span.TotalMinutes, "minute")
        : Plural((int)Math.Ceiling(span.TotalSeconds), "second");

    public static string Shorten(string text) => CommandParser.Shorten(text, 40);

    // Feed addresses may be 2048 characters and errors long: a listing shows enough to recognise them, so that a
    // chat's /feeds list stays a message or two rather than dozens.
    public static string Shown(string text) => CommandParser.Shorten(text, MaxShownLength);

    /// <summary>The sentence, or a window of it around the match when it is too long to quote whole.</summary>
    public static string Excerpt(string sentence, string matched)
    {
        if (sentence.Length <= MaxExcerptLength)
        {
            return sentence;
        }

        var at = Math.Max(0, sentence.IndexOf(matched, StringComparison.OrdinalIgnoreCase));
        var start = Math.Clamp(at - ((MaxExcerptLength - matched.Length) / 2), 0, sentence.Length - MaxExcerptLength);
        if (start > 0 && char.IsLowSurrogate(sentence[start]))
        {
            start--;
        }

        var end = Math.Min(sentence.Length, start + MaxExcerptLength);
        if (end < sentence.Length && char.IsLowSurrogate(sentence[end]))
        {
            end++;
        }

        return (start > 0 ? "…" : "") + sentence[start..end] + (end < sentence.Length ? "…" : "");
    }

    /// <summary>Option values as Discord sends them: a string (trimmed, one line), or a number written as text.</summary>
    public static string? OptionText(IReadOnlyDictionary<string, object?> values, string name) =>
        values.TryGetValue(name, out var value)
            ? value switch
            {
                // A typed command is one line; a pasted paragraph keeps its words.
                string s => s.ReplaceLineEndings(" ").Trim(),
                long n => n.ToString(CultureInfo.InvariantCulture),
                int n => n.ToString(CultureInfo.InvariantCulture),
                double d => d.ToString(CultureInfo.InvariantCulture),
                _ => null,
            }
            : null;

    /// <summary>A required option that is missing: said like a usage error.</summary>
    public static CommandReply Missing(CommandDescriptor command, string option) =>
        Usage($"The option \"{option}\" is missing (/help lists every command).", command.UsageLines);
}
