using System.Globalization;
using AlertBot.Core.Actions;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Stories;
using Telegram.Bot.Types;
using Telegram.Bot.Types.ReplyMarkups;

namespace AlertBot.Telegram.Sending;

/// <summary>Delivers outbox alerts to Telegram chats as HTML, inside Telegram's rate limits.</summary>
public sealed class TelegramAlertSink(TelegramSender sender) : IAlertSink
{
    public string Platform => Platforms.Telegram;

    public async Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        if (ParseChatId(entry.Channel.ExternalId) is not { } chat)
        {
            return new DeliveryResult.ChannelGone($"\"{entry.Channel.ExternalId}\" is not a Telegram chat id.");
        }

        var html = AlertHtmlRenderer.Render(entry.Message);
        var buttons = Keyboard(entry);

        // An escalation answers its story's alert: a reply to it, or a message of its own when it is gone.
        var replyTo = entry.Kind == OutboxKind.Alert && int.TryParse(entry.RefersToMessageId, NumberStyles.None, CultureInfo.InvariantCulture, out var original)
            ? original
            : (int?)null;
        var outcome = await sender.SendHtmlAsync(chat, html, replyTo, cancellationToken, buttons);
        if (outcome is SendOutcome.Migrated migrated)
        {
            // The group became a supergroup: send to the new id now; Delivered.MovedTo lets the store follow it.
            var moved = new ChannelRef(Platforms.Telegram, migrated.NewChatId.ToString(CultureInfo.InvariantCulture));
            var resent = await sender.SendHtmlAsync(migrated.NewChatId, html, replyTo: null, cancellationToken, buttons);
            return resent is SendOutcome.Sent sentThere
                ? new DeliveryResult.Delivered(MessageIdText(sentThere), moved)
                : ToResult(resent);
        }

        return ToResult(outcome);
    }

    public async Task<DeliveryResult> EditAsync(OutboxEntry entry, string platformMessageId, CancellationToken cancellationToken)
    {
        if (ParseChatId(entry.Channel.ExternalId) is not { } chat)
        {
            return new DeliveryResult.ChannelGone($"\"{entry.Channel.ExternalId}\" is not a Telegram chat id.");
        }

        if (int.TryParse(platformMessageId, NumberStyles.None, CultureInfo.InvariantCulture, out var messageId))
        {
            var outcome = await sender.EditHtmlAsync(chat, messageId, AlertHtmlRenderer.Render(entry.Message), cancellationToken);
            if (outcome is not SendOutcome.NotEditable and not SendOutcome.Migrated)
            {
                return ToResult(outcome);
            }
        }

        // Deleted, too old, or in a chat that moved: say it in a short message of its own.
        return await DeliverAsync(entry with { Message = StoryMessages.FollowUp(entry.Message) }, cancellationToken);
    }

    /// <summary>The alert's buttons as an inline keyboard: Why? and Mute story on one row, the term mutes on the next.</summary>
    internal static InlineKeyboardMarkup? Keyboard(OutboxEntry entry)
    {
        var buttons = AlertButtons.For(entry);
        if (buttons.Count == 0)
        {
            return null;
        }

        var rows = buttons.Select(b => InlineKeyboardButton.WithCallbackData(b.Label, b.Data)).Chunk(2).ToList();
        return new InlineKeyboardMarkup(rows);
    }

    private static DeliveryResult ToResult(SendOutcome outcome) => outcome switch
    {
        SendOutcome.Sent sent => new DeliveryResult.Delivered(MessageIdText(sent)),
        SendOutcome.RateLimited limited => new DeliveryResult.Retry(limited.Reason, limited.RetryAfter),
        SendOutcome.Forbidden forbidden => new DeliveryResult.ChannelGone(forbidden.Reason),
        SendOutcome.Migrated migrated => new DeliveryResult.Retry(
            string.Create(CultureInfo.InvariantCulture, $"chat moved again, to {migrated.NewChatId}")),
        SendOutcome.Failed failed => new DeliveryResult.Retry(failed.Reason),
        SendOutcome.Rejected rejected => new DeliveryResult.Retry(rejected.Reason) { Rejected = true },
        SendOutcome.Unknown unknown => new DeliveryResult.Unknown(unknown.Reason),
        SendOutcome.NotEditable notEditable => new DeliveryResult.Retry(notEditable.Reason),
        _ => new DeliveryResult.Retry("unknown outcome"),
    };

    // Null when Telegram said "ok" in an answer that could not be read: a later update then goes as a follow-up.
    private static string? MessageIdText(SendOutcome.Sent sent) => sent.MessageId?.ToString(CultureInfo.InvariantCulture);

    /// <summary>A numeric chat id, or an @channel user name.</summary>
    internal static ChatId? ParseChatId(string externalId)
    {
        if (long.TryParse(externalId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) && id != 0)
        {
            return id;
        }

        return externalId.Length > 1 && externalId[0] == '@' && externalId.Skip(1).All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? new ChatId(externalId)
            : null;
    }
}
