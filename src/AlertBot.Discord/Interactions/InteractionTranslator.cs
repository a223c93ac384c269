using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using AlertBot.Core.Commands;

namespace AlertBot.Discord.Interactions;

/// <summary>A slash command as Discord.Net hands it over, reduced to what Core needs: names and typed option values.</summary>
/// <param name="Values">Option name → value (string, long, or an attachment as <see cref="AttachmentRef"/>).</param>
internal sealed record SlashInput(string Name, string? SubCommand, IReadOnlyDictionary<string, object?> Values);

/// <summary>A file a user attached to a slash command option, as Discord describes it.</summary>
internal sealed record AttachmentRef(string FileName, long Size, string Url);

/// <summary>
/// Turns a slash command into the typed-command text that Core parses, e.g. <c>/watch add term:Red Sea</c> →
/// <c>/watch add "Red Sea"</c>. Core's processor takes text, so each value is written the way Core's
/// <see cref="CommandParser"/> reads it back as the same argument.
/// </summary>
internal static class InteractionTranslator
{
    /// <summary>False (with a user-facing reason) for a command that is not one of ours.</summary>
    public static bool TryTranslate(SlashInput input, [NotNullWhen(true)] out string? text, out string error)
    {
        error = "";
        text = (input.Name, input.SubCommand) switch
        {
            ("alerts", "subscribe" or "unsubscribe" or "status" or "pause" or "resume") => $"/{input.SubCommand}",
            ("watch", "add" or "remove" or "priority" or "normal") when Value(input, "term") is { Length: > 0 } term => $"/watch {input.SubCommand} {Argument(term)}",
            ("watch", "list") => "/watch list",
            ("alerts", "digest") => Value(input, "mode") is { Length: > 0 } mode ? $"/digest {Argument(mode)}" : "/digest",
            ("actors", "list") => "/actors list",
            ("actors", "show") when Value(input, "name") is { Length: > 0 } actor => $"/actors show {Argument(actor)}",
            ("feeds", "add") when Value(input, "url") is { Length: > 0 } url => $"/feeds add {Argument(url)}",
            ("feeds", "remove") when Value(input, "id") is { Length: > 0 } id => $"/feeds remove {Argument(id)}",
            ("feeds", "list") => "/feeds list",
            ("feeds", "import" or "export") => $"/feeds {input.SubCommand}",
            ("test", null) when Value(input, "text") is { Length: > 0 } sample => $"/test {sample}",
            ("escalate", null) => Value(input, "setting") is { Length: > 0 } setting ? $"/escalate {setting}" : "/escalate",
            ("trend", null) => string.Join(' ', new[] { "/trend", Value(input, "term") is { Length: > 0 } t ? Argument(t) : null, Value(input, "period") }
                .Where(p => !string.IsNullOrEmpty(p))),
            ("help", null) => "/help",
            _ => null,
        };
        if (text is null)
        {
            error = $"Unknown command /{input.Name}. Try /help.";
            return false;
        }

        return true;
    }

    /// <summary>The <c>file</c> option's attachment, if the command carries one.</summary>
    public static AttachmentRef? Attachment(SlashInput input) =>
        input.Values.TryGetValue("file", out var value) ? value as AttachmentRef : null;

    /// <summary>
    /// One option value as one argument. A value with spaces is quoted. A value that holds double quotes is passed as
    /// the user wrote it: Core's parser has no escape character, and a user who types <c>"Red Sea"</c> or
    /// <c>Houthi AND "Red Sea"</c> into the option means the quotes as Core reads them (a phrase, a query).
    /// </summary>
    internal static string Argument(string value)
    {
        if (value.Any(IsQuote))
        {
            return value;
        }

        return value.Any(char.IsWhiteSpace) ? $"\"{value}\"" : value;
    }

    // The characters Core's parser treats as phrase quotes.
    private static bool IsQuote(char c) => c is '"' or '\u201C' or '\u201D' or '\u201E' or '\u00AB' or '\u00BB';

    private static string? Value(SlashInput input, string name) =>
        input.Values.TryGetValue(name, out var value)
            ? value switch
            {
                string s => OneLine(s).Trim(),
                long n => n.ToString(CultureInfo.InvariantCulture),
                int n => n.ToString(CultureInfo.InvariantCulture),
                double d => d.ToString(CultureInfo.InvariantCulture),
                _ => null,
            }
            : null;

    // A typed command is one line; a pasted paragraph keeps its words.
    private static string OneLine(string value) => value.ReplaceLineEndings(" ");
}
