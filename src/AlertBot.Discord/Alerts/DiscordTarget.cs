using System.Diagnostics.CodeAnalysis;
using AlertBot.Core.Channels;

namespace AlertBot.Discord.Alerts;

/// <summary>
/// Where a Discord alert goes: a channel id (sent as the bot) or a webhook. A webhook is stored as the ChannelRef
/// <c>("discord", "webhook:{id}/{token}")</c>; the token authenticates the webhook, so <see cref="ToString"/> never
/// shows it and nothing logs the raw ExternalId of a webhook channel.
/// </summary>
public sealed class DiscordTarget
{
    private const string WebhookPrefix = "webhook:";

    private DiscordTarget(string? channelId, string? webhookId, string? webhookToken)
    {
        ChannelId = channelId;
        WebhookId = webhookId;
        WebhookToken = webhookToken;
    }

    public string? ChannelId { get; }

    public string? WebhookId { get; }

    public string? WebhookToken { get; }

    [MemberNotNullWhen(true, nameof(WebhookId), nameof(WebhookToken))]
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
        if (id.StartsWith(WebhookPrefix, StringComparison.Ordinal))
        {
            var rest = id.AsSpan(WebhookPrefix.Length);
            var slash = rest.IndexOf('/');
            if (slash <= 0 || slash == rest.Length - 1)
            {
                return false;
            }

            var webhookId = rest[..slash].ToString();
            var token = rest[(slash + 1)..].ToString();
            if (!IsSnowflake(webhookId) || !IsWebhookToken(token))
            {
                return false;
            }

            target = new DiscordTarget(null, webhookId, token);
            return true;
        }

        if (!IsSnowflake(id))
        {
            return false;
        }

        target = new DiscordTarget(id, null, null);
        return true;
    }

    /// <summary>The channel a webhook URL such as https://discord.com/api/webhooks/{id}/{token} stands for.</summary>
    public static bool TryParseWebhookUrl(string? url, out ChannelRef channel)
    {
        channel = default;
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

        channel = Webhook(segments[at + 1], segments[at + 2]);
        return true;
    }

    public static ChannelRef Webhook(string webhookId, string token) =>
        new(Platforms.Discord, $"{WebhookPrefix}{webhookId}/{token}");

    public static ChannelRef Channel(string channelId) => new(Platforms.Discord, channelId);

    /// <summary>A form safe for logs and replies: the webhook token is left out.</summary>
    public override string ToString() => IsWebhook ? $"discord:webhook:{WebhookId}/***" : $"discord:{ChannelId}";

    /// <summary>Describes any ChannelRef without leaking a webhook token.</summary>
    public static string Describe(ChannelRef channel) =>
        TryParse(channel, out var target) ? target.ToString() : $"{channel.Platform}:(unrecognised id)";

    /// <summary>A Discord id: decimal digits of a 64-bit number.</summary>
    internal static bool IsSnowflake(string value) => value.Length is > 0 and <= 20 && value.All(char.IsAsciiDigit);

    private static bool IsWebhookToken(string value) =>
        value.Length is > 0 and <= 200 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
