using System.Security.Cryptography;
using System.Text;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Discord.Rest;
using Microsoft.Extensions.Logging;

namespace AlertBot.Discord.Alerts;

/// <summary>
/// Posts outbox alerts to Discord channels (as the bot) or webhooks. It waits on the rate limiter rather than
/// sending into a 429, and maps Discord's answers onto <see cref="DeliveryResult"/>.
/// </summary>
internal sealed partial class DiscordAlertSink : IAlertSink
{
    /// <summary>Discord caps a nonce at 25 characters.</summary>
    internal const int NonceMaxLength = 25;

    // A token that Discord refused, or a payload it calls invalid, will not fix itself soon.
    private static readonly TimeSpan LongRetry = TimeSpan.FromMinutes(15);

    private readonly DiscordRestClient _rest;
    private readonly ILogger<DiscordAlertSink> _logger;

    public DiscordAlertSink(DiscordRestClient rest, ILogger<DiscordAlertSink> logger)
    {
        _rest = rest;
        _logger = logger;
    }

    public string Platform => Platforms.Discord;

    public async Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        if (!DiscordTarget.TryParse(entry.Channel, out var target))
        {
            return new DeliveryResult.ChannelGone($"'{DiscordTarget.Describe(entry.Channel)}' is not a Discord channel id or webhook");
        }

        var embed = AlertEmbedRenderer.Render(entry.Message);
        var noMentions = new AllowedMentions([]);
        DiscordResponse response;
        if (target.IsWebhook)
        {
            // Execute Webhook documents no nonce, so a webhook send that timed out after posting may post twice.
            var route = DiscordRoute.ExecuteWebhook(target.WebhookId, target.WebhookToken);
            response = await _rest.SendAsync(route, new WebhookMessage([embed], noMentions), cancellationToken);
        }
        else
        {
            var route = DiscordRoute.CreateMessage(target.ChannelId);
            var body = new CreateMessage([embed], noMentions, Nonce(entry.IdempotencyKey), EnforceNonce: true);
            response = await _rest.SendAsync(route, body, cancellationToken);
        }

        var result = Map(response, target);
        if (result is not DeliveryResult.Delivered)
        {
            LogNotDelivered(entry.Id, target, response.Reason);
        }

        return result;
    }

    /// <summary>The idempotency key if it fits, else a stable digest of it (same key, same nonce, across restarts).</summary>
    internal static string Nonce(string idempotencyKey)
    {
        if (idempotencyKey.Length <= NonceMaxLength)
        {
            return idempotencyKey;
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey));
        return Convert.ToHexStringLower(digest)[..NonceMaxLength];
    }

    private static DeliveryResult Map(DiscordResponse response, DiscordTarget target) => response.Outcome switch
    {
        DiscordOutcome.Success => new DeliveryResult.Delivered(response.ReadString("id")),
        DiscordOutcome.RateLimited => new DeliveryResult.Retry($"Discord: {response.Reason}", response.RetryAfter),
        DiscordOutcome.Forbidden or DiscordOutcome.NotFound => new DeliveryResult.ChannelGone($"Discord: {response.Reason}"),

        // A webhook's token is its own: a 401 there means this webhook is dead, not the bot.
        DiscordOutcome.Unauthorized when target.IsWebhook => new DeliveryResult.ChannelGone($"Discord webhook: {response.Reason}"),
        DiscordOutcome.Unauthorized => new DeliveryResult.Retry($"Discord bot token: {response.Reason}", LongRetry),
        DiscordOutcome.BadRequest => new DeliveryResult.Retry($"Discord refused the message: {response.Reason}", LongRetry),
        _ => new DeliveryResult.Retry($"Discord: {response.Reason}"),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {OutboxId} to {Target} not delivered: {Reason}")]
    private partial void LogNotDelivered(long outboxId, DiscordTarget target, string reason);
}

internal sealed record AllowedMentions(IReadOnlyList<string> Parse);

internal sealed record CreateMessage(IReadOnlyList<Embed> Embeds, AllowedMentions AllowedMentions, string Nonce, bool EnforceNonce);

internal sealed record WebhookMessage(IReadOnlyList<Embed> Embeds, AllowedMentions AllowedMentions);
