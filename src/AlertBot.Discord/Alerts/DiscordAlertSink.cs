using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using AlertBot.Core.Actions;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Stories;
using AlertBot.Discord.Client;
using Discord;
using Discord.Net;
using Discord.Rest;
using Discord.Webhook;
using Microsoft.Extensions.Logging;

namespace AlertBot.Discord.Alerts;

/// <summary>
/// Posts outbox alerts to Discord channels (as the bot, through Discord.Net's REST client) or webhooks (through
/// <see cref="DiscordWebhookClient"/>), and maps Discord's answers onto <see cref="DeliveryResult"/>. Each alert carries
/// its delivery marker in the embed footer: after a try whose outcome is unknown, the channel's recent messages are
/// searched for it before the alert is posted again, so a lost answer never posts twice.
/// </summary>
internal sealed partial class DiscordAlertSink : IAlertSink, IDisposable
{
    /// <summary>How far back a retried alert is looked for: more than a burst of alerts can push it.</summary>
    internal const int MarkerSearchDepth = 100;

    // A token that Discord refused, or a payload it calls invalid, will not fix itself soon.
    private static readonly TimeSpan LongRetry = TimeSpan.FromMinutes(15);

    /// <summary>Feed text may hold @everyone or role mentions: nothing an alert says pings anyone ("parse": []).</summary>
    internal static readonly AllowedMentions NoMentions = new(AllowedMentionTypes.None);

    private readonly DiscordConnection _connection;
    private readonly DiscordRequests _requests;
    private readonly DiscordWebhooks _webhooks;
    private readonly ILogger<DiscordAlertSink> _logger;
    private readonly ConcurrentDictionary<ulong, IMessageChannel> _channels = new();
    private readonly ConcurrentDictionary<string, DiscordWebhookClient> _webhookClients = new(StringComparer.Ordinal);

    public DiscordAlertSink(DiscordConnection connection, DiscordRequests requests, DiscordWebhooks webhooks, ILogger<DiscordAlertSink> logger)
    {
        _connection = connection;
        _requests = requests;
        _webhooks = webhooks;
        _logger = logger;
    }

    public string Platform => Platforms.Discord;

    public void Dispose()
    {
        foreach (var client in _webhookClients.Values)
        {
            client.Dispose();
        }
    }

    public async Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        if (!DiscordTarget.TryParse(entry.Channel, out var target))
        {
            return new DeliveryResult.ChannelGone($"'{entry.Channel}' is not a Discord channel id or webhook");
        }

        var result = target.IsWebhook
            ? await DeliverToWebhookAsync(entry, target, cancellationToken)
            : await DeliverToChannelAsync(entry, target, cancellationToken);
        if (result is not DeliveryResult.Delivered)
        {
            var reason = Reason(result);
            LogNotDelivered(entry.Id, target, reason);
        }

        return result;
    }

    /// <summary>
    /// Edit the posted message (bot: Edit Message; webhook: Edit Webhook Message) to show the grown story. A message
    /// that is gone (404) gets a short follow-up instead.
    /// </summary>
    public async Task<DeliveryResult> EditAsync(OutboxEntry entry, string platformMessageId, CancellationToken cancellationToken)
    {
        if (!DiscordTarget.TryParse(entry.Channel, out var target))
        {
            return new DeliveryResult.ChannelGone($"'{entry.Channel}' is not a Discord channel id or webhook");
        }

        if (!ulong.TryParse(platformMessageId, NumberStyles.None, CultureInfo.InvariantCulture, out var messageId))
        {
            return await DeliverAsync(entry with { Message = StoryMessages.FollowUp(entry.Message) }, cancellationToken);
        }

        var marker = entry.DeliveryMarker;
        var embed = AlertEmbedRenderer.Render(entry.Message, marker);
        var plain = AlertEmbedRenderer.RenderPlain(entry.Message, marker);
        var (edit, problem) = await EditorAsync(target, messageId, embed, plain, cancellationToken);
        if (edit is null)
        {
            return problem!;
        }

        var result = await EditOnceAsync(target, entry.Id, edit, cancellationToken);
        if (result is DeliveryResult.ChannelGone { Reason: var reason } && reason.Contains("10008", StringComparison.Ordinal))
        {
            // The message was deleted (or the id is not one of ours): the channel itself may be fine.
            return await DeliverAsync(entry with { Message = StoryMessages.FollowUp(entry.Message) }, cancellationToken);
        }

        return result is DeliveryResult.Delivered ? new DeliveryResult.Delivered(platformMessageId) : result;
    }

    /// <summary>
    /// The call that edits message <paramref name="messageId"/> where <paramref name="target"/> posted it (as the embed,
    /// or as the plain text when its argument is false), or the reason there is none.
    /// </summary>
    private async Task<(Func<bool, RequestOptions, Task>? Edit, DeliveryResult? Problem)> EditorAsync(
        DiscordTarget target, ulong messageId, Embed embed, string plain, CancellationToken cancellationToken)
    {
        if (target.IsWebhook)
        {
            var (client, problem) = await WebhookAsync(target, cancellationToken);
            return client is null ? (null, problem) : ((asEmbed, o) => client.ModifyMessageAsync(messageId, p => Fill(p, asEmbed, embed, plain), o), null);
        }

        var (channel, channelProblem) = await ChannelAsync(target, cancellationToken);
        return channel is null ? (null, channelProblem) : ((asEmbed, o) => channel.ModifyMessageAsync(messageId, p => Fill(p, asEmbed, embed, plain), o), null);
    }

    private async Task<DeliveryResult> EditOnceAsync(
        DiscordTarget target, long outboxId, Func<bool, RequestOptions, Task> edit, CancellationToken cancellationToken)
    {
        var key = target.IsWebhook ? target.WebhookId : target.ChannelId!;
        var call = await _requests.SendAsync(key, o => Done(edit(true, o)), cancellationToken);
        if (call.Status == HttpStatusCode.BadRequest)
        {
            LogEmbedRefused(outboxId, target, DiscordRequests.Describe(call.HttpError!));
            call = await _requests.SendAsync(key, o => Done(edit(false, o)), cancellationToken);
        }

        return call.Succeeded ? new DeliveryResult.Delivered(null) : Map(call.Failure, call.HttpError, target);
    }

    // DiscordRequests calls what returns a value; an edit returns none worth keeping.
    private static async Task<bool> Done(Task edit)
    {
        await edit;
        return true;
    }

    private static void Fill(WebhookMessageProperties properties, bool asEmbed, Embed embed, string plain)
    {
        properties.Embeds = asEmbed ? new[] { embed } : Array.Empty<Embed>();
        properties.Content = asEmbed ? "" : plain;
        properties.AllowedMentions = NoMentions;
    }

    private static void Fill(MessageProperties properties, bool asEmbed, Embed embed, string plain)
    {
        properties.Embeds = asEmbed ? new[] { embed } : Array.Empty<Embed>();
        properties.Content = asEmbed ? "" : plain;
        properties.AllowedMentions = NoMentions;
    }

    private async Task<DeliveryResult> DeliverToChannelAsync(OutboxEntry entry, DiscordTarget target, CancellationToken cancellationToken)
    {
        var (channel, problem) = await ChannelAsync(target, cancellationToken);
        if (channel is null)
        {
            return problem!;
        }

        var marker = entry.DeliveryMarker;
        if (entry.Attempts > 0)
        {
            // A previous try may have posted this alert without our learning so: look before posting again.
            var found = await _requests.SendAsync(target.ChannelId!, o => FindMarkerAsync(channel, marker, o), cancellationToken);
            if (!found.Succeeded)
            {
                return Map(found.Failure, found.HttpError, target);
            }

            if (found.Value is { } existing)
            {
                LogFoundEarlierPost(entry.Id, target);
                return new DeliveryResult.Delivered(existing.ToString(CultureInfo.InvariantCulture));
            }
        }

        return await PostAsync(
            entry,
            target,
            async (embed, text, o) => (await channel.SendMessageAsync(
                Mention(entry) is { } role ? $"<@&{role}> {text}".TrimEnd() : text,
                embed: embed,
                allowedMentions: Mention(entry) is { } mentioned ? new AllowedMentions { RoleIds = [mentioned] } : NoMentions,
                messageReference: ReplyTo(entry),
                components: Buttons(entry),
                options: o)).Id,
            cancellationToken);
    }

    /// <summary>The alert's buttons (Why?, Mute story, Mute term 24 h) as one action row; custom ids are Core's button data.</summary>
    internal static MessageComponent? Buttons(OutboxEntry entry)
    {
        var buttons = AlertButtons.For(entry);
        if (buttons.Count == 0)
        {
            return null;
        }

        var row = new ActionRowBuilder();
        foreach (var button in buttons)
        {
            row.WithButton(button.Label, button.Data, button.Data.StartsWith(AlertButtons.Prefix + "w:", StringComparison.Ordinal) ? ButtonStyle.Primary : ButtonStyle.Secondary);
        }

        return new ComponentBuilder().AddRow(row).Build();
    }

    /// <summary>An escalation answers its story's alert: a reply to the posted message (or a message of its own when it is gone).</summary>
    private static MessageReference? ReplyTo(OutboxEntry entry) =>
        entry.Kind == OutboxKind.Alert && ulong.TryParse(entry.RefersToMessageId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? new MessageReference(id, failIfNotExists: false)
            : null;

    /// <summary>The role an escalation mentions (<c>/escalate role</c>); nothing else ever mentions anyone.</summary>
    private static ulong? Mention(OutboxEntry entry) =>
        entry.RefersTo is not null && ulong.TryParse(entry.Message.EscalationRoleId, NumberStyles.None, CultureInfo.InvariantCulture, out var role)
            ? role
            : null;

    /// <summary>
    /// Posts the alert as an embed; if Discord refuses the embed (some URL or field it would not take), posts the same
    /// alert as plain text, marker included, rather than hold the channel's queue forever: a refused message was not
    /// created.
    /// </summary>
    private async Task<DeliveryResult> PostAsync(
        OutboxEntry entry, DiscordTarget target, Func<Embed?, string?, RequestOptions, Task<ulong>> post, CancellationToken cancellationToken)
    {
        var marker = entry.DeliveryMarker;
        var key = target.IsWebhook ? target.WebhookId : target.ChannelId!;
        var embed = AlertEmbedRenderer.Render(entry.Message, marker);
        var sent = await _requests.SendAsync(key, o => post(embed, null, o), cancellationToken);
        if (sent.Status == HttpStatusCode.BadRequest)
        {
            LogEmbedRefused(entry.Id, target, DiscordRequests.Describe(sent.HttpError!));
            var text = AlertEmbedRenderer.RenderPlain(entry.Message, marker);
            sent = await _requests.SendAsync(key, o => post(null, text, o), cancellationToken);
        }

        return sent.Succeeded
            ? new DeliveryResult.Delivered(sent.Value.ToString(CultureInfo.InvariantCulture))
            : Map(sent.Failure, sent.HttpError, target);
    }

    private static async Task<ulong?> FindMarkerAsync(IMessageChannel channel, string marker, RequestOptions options)
    {
        var recent = await channel.GetMessagesAsync(MarkerSearchDepth, CacheMode.AllowDownload, options).FlattenAsync();
        return recent.FirstOrDefault(m => Carries(m, marker))?.Id;
    }

    private static bool Carries(IMessage message, string marker) =>
        message.Content.Contains(marker, StringComparison.Ordinal) ||
        message.Embeds.Any(e => e.Footer?.Text?.Contains(marker, StringComparison.Ordinal) == true);

    private async Task<DeliveryResult> DeliverToWebhookAsync(OutboxEntry entry, DiscordTarget target, CancellationToken cancellationToken)
    {
        var (client, problem) = await WebhookAsync(target, cancellationToken);
        if (client is null)
        {
            return problem!;
        }

        // A webhook cannot read its channel, so an unknown outcome here cannot be checked: the marker still shows
        // which alert a rare duplicate is.
        return await PostAsync(
            entry,
            target,
            (embed, text, o) => client.SendMessageAsync(text, embeds: embed is null ? null : [embed], allowedMentions: NoMentions, options: o),
            cancellationToken);
    }

    /// <summary>The channel, fetched once (GET /channels/{id}) and kept: Discord.Net sends through a channel object.</summary>
    private async Task<(IMessageChannel? Channel, DeliveryResult? Problem)> ChannelAsync(DiscordTarget target, CancellationToken cancellationToken)
    {
        var id = ulong.Parse(target.ChannelId!, NumberStyles.None, CultureInfo.InvariantCulture);
        if (_channels.TryGetValue(id, out var known))
        {
            return (known, null);
        }

        var rest = await _connection.RestAsync(cancellationToken);
        if (rest is null)
        {
            return (null, new DeliveryResult.Retry("Discord refused the bot token", LongRetry));
        }

        var fetched = await _requests.SendAsync(target.ChannelId!, o => rest.GetChannelAsync(id, o), cancellationToken);
        if (!fetched.Succeeded)
        {
            return (null, Map(fetched.Failure, fetched.HttpError, target));
        }

        if (fetched.Value is not IMessageChannel channel)
        {
            // Discord.Net answers null for a 404 (Unknown Channel).
            return (null, new DeliveryResult.ChannelGone(fetched.Value is null
                ? $"Discord: 404 Unknown Channel {id}"
                : $"Discord channel {id} is not a text channel"));
        }

        _channels[id] = channel;
        return (channel, null);
    }

    private async Task<(DiscordWebhookClient? Client, DeliveryResult? Problem)> WebhookAsync(DiscordTarget target, CancellationToken cancellationToken)
    {
        var webhookId = target.WebhookId!;
        if (_webhookClients.TryGetValue(webhookId, out var known))
        {
            return (known, null);
        }

        if (!_webhooks.TryGetToken(webhookId, out var token))
        {
            // Not ChannelGone: a webhook missing from the configuration is more likely a deployment slip than a
            // deleted webhook, and closing the channel would drop its alerts.
            return (null, new DeliveryResult.Retry($"webhook {webhookId} is not in AlertBot:Discord:Webhooks", LongRetry));
        }

        var id = ulong.Parse(webhookId, NumberStyles.None, CultureInfo.InvariantCulture);
        var config = _connection.RestConfig();

        // The client's constructor fetches the webhook (GET /webhooks/{id}/{token}) synchronously: off this thread.
        var created = await _requests.SendAsync(
            webhookId,
            _ => Task.Run(() => Create(id, token, config), cancellationToken),
            cancellationToken);
        if (created.Failure is not null || created.HttpError is not null)
        {
            return (null, Map(created.Failure, created.HttpError, target));
        }

        if (created.Value is null)
        {
            return (null, new DeliveryResult.ChannelGone("Discord webhook: 404 Unknown Webhook (deleted, or the token in AlertBot:Discord:Webhooks is wrong)"));
        }

        var client = _webhookClients.GetOrAdd(webhookId, created.Value!);
        return (client, null);
    }

    /// <summary>The webhook client, or null when Discord does not know the webhook (404 on GET /webhooks/{id}/{token}).</summary>
    private static DiscordWebhookClient? Create(ulong id, string token, DiscordRestConfig config)
    {
        try
        {
            return new DiscordWebhookClient(id, token, config);
        }
        catch (InvalidOperationException)
        {
            // Discord.Net's way of saying the GET answered 404.
            return null;
        }
    }

    private DeliveryResult Map(DeliveryResult? failure, HttpException? error, DiscordTarget target)
    {
        if (failure is not null)
        {
            return failure;
        }

        var reason = $"Discord: {DiscordRequests.Describe(error!)}";
        switch (error!.HttpCode)
        {
            case HttpStatusCode.Forbidden or HttpStatusCode.NotFound:
                return new DeliveryResult.ChannelGone(reason);

            // A webhook's token is its own: a 401 there means this webhook is dead, not the bot.
            case HttpStatusCode.Unauthorized when target.IsWebhook:
                return new DeliveryResult.ChannelGone($"Discord webhook: {DiscordRequests.Describe(error)}");
            case HttpStatusCode.Unauthorized:
                _connection.MarkTokenRefused();
                return new DeliveryResult.Retry("Discord refused the bot token", LongRetry);
            case HttpStatusCode.BadRequest:
                return new DeliveryResult.Retry($"Discord refused the message: {DiscordRequests.Describe(error)}", LongRetry);
            default:
                return new DeliveryResult.Retry(reason);
        }
    }

    private static string Reason(DeliveryResult result) => result switch
    {
        DeliveryResult.Retry r => r.Reason,
        DeliveryResult.ChannelGone g => g.Reason,
        DeliveryResult.Unknown u => u.Reason,
        _ => result.ToString(),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord refused alert {OutboxId} to {Target} as an embed ({Reason}); sending it as plain text")]
    private partial void LogEmbedRefused(long outboxId, DiscordTarget target, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {OutboxId} to {Target} not delivered: {Reason}")]
    private partial void LogNotDelivered(long outboxId, DiscordTarget target, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {OutboxId} to {Target} was already posted by an earlier try whose answer was lost; not posting it again")]
    private partial void LogFoundEarlierPost(long outboxId, DiscordTarget target);
}
