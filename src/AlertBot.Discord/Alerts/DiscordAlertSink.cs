using System.Security.Cryptography;
using System.Text;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Stories;
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
    private readonly DiscordWebhooks _webhooks;
    private readonly ILogger<DiscordAlertSink> _logger;

    public DiscordAlertSink(DiscordRestClient rest, DiscordWebhooks webhooks, ILogger<DiscordAlertSink> logger)
    {
        _rest = rest;
        _webhooks = webhooks;
        _logger = logger;
    }

    public string Platform => Platforms.Discord;

    public async Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        if (!DiscordTarget.TryParse(entry.Channel, out var target))
        {
            return new DeliveryResult.ChannelGone($"'{entry.Channel}' is not a Discord channel id or webhook");
        }

        DiscordRoute route;
        if (!target.IsWebhook)
        {
            route = DiscordRoute.CreateMessage(target.ChannelId);
        }
        else if (_webhooks.TryGetToken(target.WebhookId, out var token))
        {
            route = DiscordRoute.ExecuteWebhook(target.WebhookId, token);
        }
        else
        {
            // Not ChannelGone: a webhook missing from the configuration is more likely a deployment slip than a
            // deleted webhook, and closing the channel would drop its alerts.
            return new DeliveryResult.Retry($"webhook {target.WebhookId} is not in AlertBot:Discord:Webhooks", LongRetry);
        }

        var nonce = target.IsWebhook ? null : Nonce(entry.IdempotencyKey);
        var response = await _rest.SendAsync(route, Body(AlertEmbedRenderer.Render(entry.Message), null, nonce), cancellationToken);
        if (response.Outcome == DiscordOutcome.BadRequest)
        {
            // Discord refused the embed (some URL or field it would not take). Rather than hold the channel's queue
            // forever, send the same alert as plain text; the nonce is unused, since a refused message was not created.
            LogEmbedRefused(entry.Id, target, response.Reason);
            var text = AlertEmbedRenderer.RenderPlain(entry.Message);
            response = await _rest.SendAsync(route, Body(null, text, nonce), cancellationToken);
        }

        var result = Map(response, target);
        if (result is not DeliveryResult.Delivered)
        {
            LogNotDelivered(entry.Id, target, response.Reason);
        }

        return result;
    }

    /// <summary>
    /// PATCH the posted message (bot: Edit Message; webhook: Edit Webhook Message) to show the grown story. A message
    /// that is gone (404) gets a short follow-up instead.
    /// </summary>
    public async Task<DeliveryResult> EditAsync(OutboxEntry entry, string platformMessageId, CancellationToken cancellationToken)
    {
        if (!DiscordTarget.TryParse(entry.Channel, out var target))
        {
            return new DeliveryResult.ChannelGone($"'{entry.Channel}' is not a Discord channel id or webhook");
        }

        DiscordRoute route;
        if (!target.IsWebhook)
        {
            route = DiscordRoute.EditMessage(target.ChannelId, platformMessageId);
        }
        else if (_webhooks.TryGetToken(target.WebhookId, out var token))
        {
            route = DiscordRoute.EditWebhookMessage(target.WebhookId, token, platformMessageId);
        }
        else
        {
            return new DeliveryResult.Retry($"webhook {target.WebhookId} is not in AlertBot:Discord:Webhooks", LongRetry);
        }

        var response = await _rest.SendAsync(route, new EditedMessage(null, [AlertEmbedRenderer.Render(entry.Message)]), cancellationToken);
        if (response.Outcome == DiscordOutcome.BadRequest)
        {
            LogEmbedRefused(entry.Id, target, response.Reason);
            response = await _rest.SendAsync(route, new EditedMessage(AlertEmbedRenderer.RenderPlain(entry.Message), []), cancellationToken);
        }

        if (response.Outcome == DiscordOutcome.NotFound)
        {
            // The message was deleted (or the id is not one of ours): the channel itself may be fine.
            return await DeliverAsync(entry with { Message = StoryMessages.FollowUp(entry.Message) }, cancellationToken);
        }

        var result = Map(response, target);
        if (result is not DeliveryResult.Delivered)
        {
            LogNotDelivered(entry.Id, target, response.Reason);
        }

        return result is DeliveryResult.Delivered ? new DeliveryResult.Delivered(platformMessageId) : result;
    }

    // Execute Webhook documents no nonce, so a webhook send that timed out after posting may post twice.
    private static OutgoingMessage Body(Embed? embed, string? content, string? nonce) =>
        new(content, embed is null ? null : [embed], new AllowedMentions([]), nonce, nonce is null ? null : true);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord refused alert {OutboxId} to {Target} as an embed ({Reason}); sending it as plain text")]
    private partial void LogEmbedRefused(long outboxId, DiscordTarget target, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {OutboxId} to {Target} not delivered: {Reason}")]
    private partial void LogNotDelivered(long outboxId, DiscordTarget target, string reason);
}

internal sealed record AllowedMentions(IReadOnlyList<string> Parse);

/// <summary>The body of Edit Message: content and embeds replace the old ones (an empty list clears them).</summary>
internal sealed record EditedMessage(string? Content, IReadOnlyList<Embed> Embeds);

/// <summary>The body of Create Message and Execute Webhook (which takes no nonce); null fields are left out.</summary>
internal sealed record OutgoingMessage(string? Content, IReadOnlyList<Embed>? Embeds, AllowedMentions AllowedMentions, string? Nonce, bool? EnforceNonce);
