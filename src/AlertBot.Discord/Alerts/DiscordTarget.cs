using System.Diagnostics.CodeAnalysis;
using AlertBot.Core.Channels;

namespace AlertBot.Discord.Alerts;

/// <summary>
/// Where a Discord alert goes: a channel id (sent as the bot), or a webhook, stored as the ChannelRef
/// <c>("discord", "webhook:{id}")</c>. The webhook's token is a secret, so it is not part of the ChannelRef (which
/// is stored in the database and written to logs): it stays in configuration (<c>AlertBot:Discord:Webhooks</c>)
/// and <see cref="DiscordWebhooks"/> looks it up by id at send time.
/// </summary>
public sealed class DiscordTarget
{
    private const string WebhookPrefix = "webhook:";

    private DiscordTarget(string? channelId, string? webhookId)
    {
        ChannelId = channelId;
        WebhookId = webhookId;
    }

    public string? ChannelId { get; }

    public string? WebhookId { get; }

    [MemberNotNullWhen(true, nameof(WebhookId))]
    [MemberNotNullWhen(false, nameof(ChannelId))]
    public bool IsWebhook => WebhookId is not null;

    public static bool TryParse(ChannelRef channel, [NotNullWhen(true)] out DiscordTarget? target)
    {
        target = null;
        if (!string.Equals(channel.Platform, Platforms.Discord, StringComparison.Ordinal) || channel.ExternalId is null)
        {
            return false;
        }

        var id = channel.ExternalId;
        var isWebhook = id.StartsWith(WebhookPrefix, StringComparison.Ordinal);
        var snowflake = isWebhook ? id[WebhookPrefix.Length..] : id;
        if (!IsSnowflake(snowflake))
        {
            return false;
        }

        target = isWebhook ? new DiscordTarget(null, snowflake) : new DiscordTarget(snowflake, null);
        return true;
    }

    /// <summary>Splits a webhook URL such as https://discord.com/api/webhooks/{id}/{token} into its id and token.</summary>
    public static bool TryParseWebhookUrl(string? url, out string webhookId, out string token)
    {
        webhookId = "";
        token = "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            return false;
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/');
        var at = Array.LastIndexOf(segments, "webhooks");
        if (at < 0 || segments.Length != at + 3 || !IsSnowflake(segments[at + 1]) || !IsWebhookToken(segments[at + 2]))
        {
            return false;
        }

        webhookId = segments[at + 1];
        token = segments[at + 2];
        return true;
    }

    public static ChannelRef Webhook(string webhookId) => new(Platforms.Discord, WebhookPrefix + webhookId);

    public static ChannelRef Channel(string channelId) => new(Platforms.Discord, channelId);

    public override string ToString() => IsWebhook ? $"discord:webhook:{WebhookId}" : $"discord:{ChannelId}";

    /// <summary>A Discord id: decimal digits of a 64-bit number.</summary>
    internal static bool IsSnowflake(string value) => value.Length is > 0 and <= 20 && value.All(char.IsAsciiDigit);

    private static bool IsWebhookToken(string value) =>
        value.Length is > 0 and <= 200 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
