using System.Globalization;
using System.Text.Json.Nodes;

namespace AlertBot.Testing.Discord;

/// <summary>INTERACTION_CREATE payloads as Discord sends them for slash commands.</summary>
public static class FakeDiscordInteractions
{
    public const string GuildId = "600000000000000001";
    public const string ChannelId = "610000000000000001";
    public const string UserId = "620000000000000001";

    private static long _nextId = 630_000_000_000_000_000;

    /// <param name="subcommand">Null for a command without subcommands (/test, /help).</param>
    /// <param name="permissions">member.permissions; null means a DM (no guild, no member).</param>
    public static JsonObject SlashCommand(string name, string? subcommand, IReadOnlyDictionary<string, JsonNode?>? options = null, string? permissions = "16")
    {
        var values = new JsonArray();
        foreach (var (key, value) in options ?? new Dictionary<string, JsonNode?>())
        {
            values.Add(new JsonObject { ["type"] = value is JsonValue v && v.TryGetValue<long>(out _) ? 4 : 3, ["name"] = key, ["value"] = value?.DeepClone() });
        }

        var data = new JsonObject { ["id"] = "640000000000000001", ["name"] = name, ["type"] = 1 };
        data["options"] = subcommand is null
            ? values
            : new JsonArray(new JsonObject { ["type"] = 1, ["name"] = subcommand, ["options"] = values });

        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var interaction = new JsonObject
        {
            ["id"] = id,
            ["application_id"] = FakeDiscordServer.ApplicationId,
            ["type"] = 2,
            ["token"] = $"interaction-token-{id}",
            ["version"] = 1,
            ["channel_id"] = ChannelId,
            ["channel"] = new JsonObject { ["id"] = ChannelId, ["name"] = "alerts", ["type"] = 0 },
            ["data"] = data,
        };
        var user = new JsonObject { ["id"] = UserId, ["username"] = "analyst" };
        if (permissions is null)
        {
            interaction["user"] = user;
        }
        else
        {
            interaction["guild_id"] = GuildId;
            interaction["member"] = new JsonObject { ["user"] = user, ["permissions"] = permissions, ["roles"] = new JsonArray() };
        }

        return interaction;
    }

    /// <summary>Adds an ATTACHMENT option (type 11) to the interaction's subcommand, resolved as Discord sends it.</summary>
    public static JsonObject WithAttachment(JsonObject interaction, string option, string attachmentId, string fileName, long size, string url)
    {
        var data = (JsonObject)interaction["data"]!;
        var sub = (JsonObject)((JsonArray)data["options"]!)[0]!;
        if (sub["options"] is not JsonArray values)
        {
            sub["options"] = values = [];
        }

        values.Add(new JsonObject { ["type"] = 11, ["name"] = option, ["value"] = attachmentId });
        data["resolved"] = new JsonObject
        {
            ["attachments"] = new JsonObject
            {
                [attachmentId] = new JsonObject
                {
                    ["id"] = attachmentId,
                    ["filename"] = fileName,
                    ["size"] = size,
                    ["url"] = url,
                    ["proxy_url"] = url,
                    ["content_type"] = "text/x-opml",
                },
            },
        };
        return interaction;
    }
}
