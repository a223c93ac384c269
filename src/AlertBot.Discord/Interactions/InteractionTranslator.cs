using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using AlertBot.Core.Commands;
using AlertBot.Discord.Alerts;
using AlertBot.Discord.Rest;

namespace AlertBot.Discord.Interactions;

/// <summary>An APPLICATION_COMMAND interaction as Core's command processor sees it.</summary>
/// <param name="File">An attachment option's file, still to be downloaded (data.resolved.attachments).</param>
internal sealed record TranslatedCommand(string Text, CommandContext Context, AttachmentRef? File = null);

/// <summary>A file a user attached to a slash command option, as Discord describes it.</summary>
internal sealed record AttachmentRef(string FileName, long Size, string Url);

/// <summary>The parts of an interaction needed to answer it.</summary>
internal sealed record InteractionRef(string Id, string Token, string ApplicationId, int Type);

/// <summary>
/// Turns a slash command interaction into the typed-command text and context that Core parses, e.g.
/// <c>/watch add term:"Red Sea"</c> → <c>/watch add "Red Sea"</c>.
/// </summary>
internal static class InteractionTranslator
{
    public const int ApplicationCommand = 2;

    private const ulong Administrator = 1UL << 3;
    private const ulong ManageChannels = 1UL << 4;

    public static bool TryReadRef(JsonElement interaction, [NotNullWhen(true)] out InteractionRef? reference)
    {
        reference = null;
        if (interaction.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var id = Str(interaction, "id");
        var token = Str(interaction, "token");
        var app = Str(interaction, "application_id");
        var type = interaction.TryGetProperty("type", out var t) && t.TryGetInt32(out var value) ? value : 0;
        if (id is null || token is null || app is null)
        {
            return false;
        }

        reference = new InteractionRef(id, token, app, type);
        return true;
    }

    /// <summary>False (with a user-facing reason) for an interaction that is not one of our commands.</summary>
    public static bool TryTranslate(JsonElement interaction, [NotNullWhen(true)] out TranslatedCommand? command, out string error)
    {
        command = null;
        error = "";
        if (!interaction.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object || Str(data, "name") is not { } name)
        {
            error = "That interaction carries no command.";
            return false;
        }

        var channelId = Str(interaction, "channel_id")
            ?? (interaction.TryGetProperty("channel", out var ch) && ch.ValueKind == JsonValueKind.Object ? Str(ch, "id") : null);
        if (channelId is null)
        {
            error = "That command did not say which channel it came from.";
            return false;
        }

        var options = data.TryGetProperty("options", out var o) && o.ValueKind == JsonValueKind.Array ? o : default;
        var text = BuildText(name, options);
        if (text is null)
        {
            error = $"Unknown command /{name}. Try /help.";
            return false;
        }

        command = new TranslatedCommand(text, Context(interaction, channelId), Attachment(data, options));
        return true;
    }

    private static string? BuildText(string name, JsonElement options)
    {
        var (sub, subOptions) = SubCommand(options);
        return (name, sub) switch
        {
            ("alerts", "subscribe" or "unsubscribe" or "status" or "pause" or "resume") => $"/{sub}",
            ("watch", "add" or "remove") when Value(subOptions, "term") is { Length: > 0 } term => $"/watch {sub} {Quote(term)}",
            ("watch", "list") => "/watch list",
            ("watch", "priority" or "normal") when Value(subOptions, "term") is { Length: > 0 } term => $"/watch {sub} {Quote(term)}",
            ("alerts", "digest") => Value(subOptions, "mode") is { Length: > 0 } mode ? $"/digest {Quote(mode)}" : "/digest",
            ("actors", "list") => "/actors list",
            ("actors", "show") when Value(subOptions, "name") is { Length: > 0 } actor => $"/actors show {Quote(actor)}",
            ("feeds", "add") when Value(subOptions, "url") is { Length: > 0 } url => $"/feeds add {Quote(url)}",
            ("feeds", "remove") when Value(subOptions, "id") is { Length: > 0 } id => $"/feeds remove {Quote(id)}",
            ("feeds", "list") => "/feeds list",
            ("feeds", "import" or "export") => $"/feeds {sub}",
            ("test", null) when Value(options, "text") is { Length: > 0 } text => $"/test {OneLine(text)}",
            ("help", null) => "/help",
            _ => null,
        };
    }

    /// <summary>The subcommand's <c>file</c> option resolved to its attachment (id → filename, size, url).</summary>
    private static AttachmentRef? Attachment(JsonElement data, JsonElement options)
    {
        var (_, subOptions) = SubCommand(options);
        if (Value(subOptions, "file") is not { Length: > 0 } id ||
            !data.TryGetProperty("resolved", out var resolved) || resolved.ValueKind != JsonValueKind.Object ||
            !resolved.TryGetProperty("attachments", out var attachments) || attachments.ValueKind != JsonValueKind.Object ||
            !attachments.TryGetProperty(id, out var attachment) || attachment.ValueKind != JsonValueKind.Object ||
            Str(attachment, "url") is not { } url)
        {
            return null;
        }

        var size = attachment.TryGetProperty("size", out var s) && s.TryGetInt64(out var bytes) ? bytes : 0;
        return new AttachmentRef(Str(attachment, "filename") ?? "file", size, url);
    }

    private static CommandContext Context(JsonElement interaction, string channelId)
    {
        var inGuild = Str(interaction, "guild_id") is not null;
        var member = interaction.TryGetProperty("member", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var user = member.ValueKind == JsonValueKind.Object && member.TryGetProperty("user", out var mu) ? mu
            : interaction.TryGetProperty("user", out var u) ? u : default;
        var userId = user.ValueKind == JsonValueKind.Object ? Str(user, "id") ?? "" : "";

        // member.permissions is the member's computed permissions in this channel, as a decimal string.
        var permissions = member.ValueKind == JsonValueKind.Object
            && ulong.TryParse(Str(member, "permissions"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0UL;
        var isAdmin = inGuild ? (permissions & (ManageChannels | Administrator)) != 0 : true;

        var title = interaction.TryGetProperty("channel", out var channel) && channel.ValueKind == JsonValueKind.Object
            ? Str(channel, "name")
            : null;
        return new CommandContext(DiscordTarget.Channel(channelId), title, userId, UserIsAdmin: isAdmin, IsPrivate: !inGuild);
    }

    private static (string? Name, JsonElement Options) SubCommand(JsonElement options)
    {
        if (options.ValueKind != JsonValueKind.Array)
        {
            return (null, default);
        }

        foreach (var option in options.EnumerateArray())
        {
            if (option.TryGetProperty("type", out var type) && type.TryGetInt32(out var t) && t == OptionType.SubCommand)
            {
                return (Str(option, "name"), option.TryGetProperty("options", out var inner) ? inner : default);
            }
        }

        return (null, default);
    }

    private static string? Value(JsonElement options, string name)
    {
        if (options.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var option in options.EnumerateArray())
        {
            if (Str(option, "name") == name && option.TryGetProperty("value", out var value))
            {
                return value.ValueKind switch
                {
                    JsonValueKind.String => OneLine(value.GetString() ?? "").Trim(),
                    JsonValueKind.Number => value.GetRawText(),
                    _ => null,
                };
            }
        }

        return null;
    }

    /// <summary>Quotes a value with spaces or quotes in it, so the command parser reads it as one argument.</summary>
    internal static string Quote(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || c == '"')
            ? "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : value;

    // A typed command is one line; a pasted paragraph keeps its words.
    private static string OneLine(string value) => value.ReplaceLineEndings(" ");

    private static string? Str(JsonElement element, string name) => DiscordJson.String(element, name);
}
