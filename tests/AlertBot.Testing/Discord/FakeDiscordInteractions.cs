using System.Globalization;
using System.Text.Json.Nodes;

namespace AlertBot.Testing.Discord;

/// <summary>INTERACTION_CREATE payloads as Discord sends them for slash commands.</summary>
public static class FakeDiscordInteractions
{
    public const string GuildId = "600000000000000001";
    public const string ChannelId = "610000000000000001";
    public const string UserId = "620000000000000001";
    public const string OwnerId = "620000000000000099";

    /// <summary>Roles of the test guild: one with Manage Channels (16), one with Administrator (8).</summary>
    public const string ManagerRoleId = "660000000000000016";
    public const string AdminRoleId = "660000000000000008";

    private static long _sequence;

    /// <param name="subcommand">Null for a command without subcommands (/test, /help).</param>
    /// <param name="permissions">member.permissions; null means a DM (no guild, no member).</param>
    public static JsonObject SlashCommand(
        string name, string? subcommand, IReadOnlyDictionary<string, JsonNode?>? options = null, string? permissions = "16",
        string guildId = GuildId, string channelId = ChannelId)
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

        var id = Snowflake().ToString(CultureInfo.InvariantCulture);
        var interaction = new JsonObject
        {
            ["id"] = id,
            ["application_id"] = FakeDiscordServer.ApplicationId,
            ["type"] = 2,
            ["token"] = $"interaction-token-{id}",
            ["version"] = 1,
            ["channel_id"] = channelId,
            ["channel"] = permissions is null
                ? new JsonObject { ["id"] = channelId, ["type"] = 1, ["last_message_id"] = null, ["flags"] = 0 }
                : new JsonObject
                {
                    ["id"] = channelId, ["type"] = 0, ["guild_id"] = guildId, ["name"] = "alerts", ["position"] = 0,
                    ["permission_overwrites"] = new JsonArray(), ["nsfw"] = false, ["parent_id"] = null, ["topic"] = null,
                    ["last_message_id"] = null, ["rate_limit_per_user"] = 0, ["flags"] = 0, ["permissions"] = permissions,
                },
            ["data"] = data,
            ["locale"] = "en-US",
            ["entitlements"] = new JsonArray(),
            ["authorizing_integration_owners"] = new JsonObject { ["0"] = permissions is null ? UserId : guildId },
            ["context"] = permissions is null ? 1 : 0,
            ["attachment_size_limit"] = 10_485_760,
            ["app_permissions"] = "2248473465835073",
        };
        var user = new JsonObject { ["id"] = UserId, ["username"] = "analyst", ["discriminator"] = "0", ["global_name"] = null, ["avatar"] = null };
        if (permissions is null)
        {
            interaction["user"] = user;
            interaction["channel"]!["recipients"] = new JsonArray(user.DeepClone());
        }
        else
        {
            // Discord sends the member's roles and their computed permissions; the roles are what the guild cache
            // resolves, so they are chosen to grant exactly the permissions asked for.
            interaction["guild_id"] = guildId;
            interaction["guild_locale"] = "en-US";
            var roles = permissions switch
            {
                "16" => new JsonArray(ManagerRoleId),
                "8" or "2147483647" => new JsonArray(AdminRoleId),
                _ => new JsonArray(),
            };
            interaction["member"] = new JsonObject
            {
                ["user"] = user, ["permissions"] = permissions, ["roles"] = roles, ["joined_at"] = "2026-01-01T00:00:00.000000+00:00",
                ["deaf"] = false, ["mute"] = false, ["flags"] = 0, ["pending"] = false, ["nick"] = null, ["avatar"] = null,
                ["premium_since"] = null, ["communication_disabled_until"] = null,
            };
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

    /// <summary>
    /// A button press (INTERACTION_CREATE type 3, MESSAGE_COMPONENT) on the bot's message <paramref name="messageId"/>
    /// whose button carries <paramref name="customId"/>, by a member with <paramref name="permissions"/>.
    /// </summary>
    public static JsonObject ButtonPress(string customId, string messageId, string permissions = "16", string channelId = ChannelId)
    {
        var interaction = SlashCommand("unused", null, null, permissions, channelId: channelId);
        interaction["type"] = 3;
        interaction["data"] = new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 };
        interaction["message"] = new JsonObject
        {
            ["id"] = messageId, ["channel_id"] = channelId, ["type"] = 0, ["content"] = "",
            ["author"] = new JsonObject { ["id"] = FakeDiscordServer.ApplicationId, ["username"] = "AlertBot", ["discriminator"] = "0", ["global_name"] = null, ["avatar"] = null, ["bot"] = true },
            ["timestamp"] = "2026-12-07T06:00:00.000000+00:00", ["edited_timestamp"] = null, ["tts"] = false, ["mention_everyone"] = false,
            ["mentions"] = new JsonArray(), ["mention_roles"] = new JsonArray(), ["attachments"] = new JsonArray(), ["embeds"] = new JsonArray(),
            ["components"] = new JsonArray(), ["pinned"] = false, ["flags"] = 0,
        };
        return interaction;
    }

    /// <summary>
    /// Discord's rules for message components: at most 5 action rows (type 1) of at most 5 buttons (type 2); a
    /// button has a style 1–5, a label of at most 80 characters, and (except link buttons) a custom_id of 1–100
    /// characters unique in the message. Null when they hold.
    /// </summary>
    public static string? CheckComponents(JsonNode? components)
    {
        if (components is null)
        {
            return null;
        }

        if (components is not JsonArray rows || rows.Count > 5)
        {
            return "components: at most 5 action rows";
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row?["type"]?.GetValue<int>() != 1 || row["components"] is not JsonArray buttons || buttons.Count is 0 or > 5)
            {
                return "components: an action row holds 1 to 5 components";
            }

            foreach (var button in buttons)
            {
                var style = button?["style"]?.GetValue<int>() ?? 0;
                if (button?["type"]?.GetValue<int>() != 2 || style is < 1 or > 5)
                {
                    return "components: a button needs type 2 and a style";
                }

                if (button!["label"]?.GetValue<string>() is { Length: > 80 })
                {
                    return "components: BASE_TYPE_MAX_LENGTH label";
                }

                var id = button["custom_id"]?.GetValue<string>();
                if (style != 5 && (id is null or { Length: 0 or > 100 } || !ids.Add(id)))
                {
                    return "components: COMPONENT_CUSTOM_ID_INVALID or duplicated";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A snowflake made now, as Discord's are: milliseconds since 2015 in the high bits. Clients read an interaction's
    /// age from its id (Discord.Net refuses to answer one older than 3 seconds).
    /// </summary>
    public static long Snowflake()
    {
        var sinceEpoch = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1_420_070_400_000;
        return (sinceEpoch << 22) | (Interlocked.Increment(ref _sequence) & 0xFFF);
    }

    /// <summary>A GUILD_CREATE payload as Discord sends it to a bot with the guilds intent.</summary>
    public static JsonObject Guild(string guildId, string channelId)
    {
        JsonObject Role(string id, string roleName, string permissions, int position) => new()
        {
            ["id"] = id, ["name"] = roleName, ["color"] = 0, ["colors"] = new JsonObject { ["primary_color"] = 0, ["secondary_color"] = null, ["tertiary_color"] = null },
            ["hoist"] = false, ["icon"] = null, ["unicode_emoji"] = null, ["position"] = position, ["permissions"] = permissions,
            ["managed"] = false, ["mentionable"] = false, ["flags"] = 0,
        };

        return new JsonObject
        {
            ["id"] = guildId,
            ["name"] = "Newsroom",
            ["icon"] = null,
            ["splash"] = null,
            ["discovery_splash"] = null,
            ["owner_id"] = OwnerId,
            ["afk_channel_id"] = null,
            ["afk_timeout"] = 300,
            ["verification_level"] = 1,
            ["default_message_notifications"] = 1,
            ["explicit_content_filter"] = 0,
            ["roles"] = new JsonArray(
                Role(guildId, "@everyone", "3072", 0),
                Role(ManagerRoleId, "Editors", "16", 1),
                Role(AdminRoleId, "Admins", "8", 2)),
            ["emojis"] = new JsonArray(),
            ["features"] = new JsonArray(),
            ["mfa_level"] = 0,
            ["application_id"] = null,
            ["system_channel_id"] = null,
            ["system_channel_flags"] = 0,
            ["rules_channel_id"] = null,
            ["vanity_url_code"] = null,
            ["description"] = null,
            ["banner"] = null,
            ["premium_tier"] = 0,
            ["premium_subscription_count"] = 0,
            ["preferred_locale"] = "en-US",
            ["public_updates_channel_id"] = null,
            ["nsfw_level"] = 0,
            ["premium_progress_bar_enabled"] = false,
            ["stickers"] = new JsonArray(),
            ["joined_at"] = "2026-01-01T00:00:00.000000+00:00",
            ["large"] = false,
            ["unavailable"] = false,
            ["member_count"] = 2,
            ["voice_states"] = new JsonArray(),
            ["members"] = new JsonArray(),
            ["channels"] = new JsonArray(new JsonObject
            {
                ["id"] = channelId, ["type"] = 0, ["guild_id"] = guildId, ["name"] = "alerts", ["position"] = 0,
                ["permission_overwrites"] = new JsonArray(), ["nsfw"] = false, ["parent_id"] = null, ["topic"] = null,
                ["last_message_id"] = null, ["rate_limit_per_user"] = 0, ["flags"] = 0,
            }),
            ["threads"] = new JsonArray(),
            ["presences"] = new JsonArray(),
            ["stage_instances"] = new JsonArray(),
            ["guild_scheduled_events"] = new JsonArray(),
            ["soundboard_sounds"] = new JsonArray(),
        };
    }
}
