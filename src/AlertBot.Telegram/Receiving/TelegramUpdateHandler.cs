using System.Globalization;
using System.Text;
using AlertBot.Core.Actions;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Telegram.Sending;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AlertBot.Telegram.Receiving;

/// <summary>
/// Handles one update: a command in a message or channel post goes to the Core command processor and its reply comes
/// back in the same chat; the bot being removed from a chat deactivates it; a group's move to a supergroup moves it.
/// Never throws for anything a user can send.
/// </summary>
public sealed partial class TelegramUpdateHandler(
    ICommandProcessor commands,
    IChannelStore channels,
    TelegramSender sender,
    TelegramClientFactory clients,
    IOptions<TelegramOptions> options,
    ILogger<TelegramUpdateHandler> logger)
{
    // Room for the escaping that makes a plain reply longer than its text; replies longer than this are split.
    private const int ReplyChunk = 3500;

    // Telegram's limit on a photo caption (plain text, no parse mode).
    private const int MaxCaption = 1024;

    private readonly TelegramOptions _options = options.Value;
    private string? _botUsername;

    /// <summary>The bot's own user name (from getMe): commands addressed to other bots are left alone.</summary>
    public string? BotUsername
    {
        get => Volatile.Read(ref _botUsername);
        set => Volatile.Write(ref _botUsername, value);
    }

    public async Task HandleAsync(Update update, CancellationToken cancellationToken)
    {
        try
        {
            if ((update.Message ?? update.ChannelPost) is { } message)
            {
                await HandleMessageAsync(message, isChannelPost: update.Message is null, cancellationToken);
            }
            else if (update.MyChatMember is { } membership)
            {
                await HandleMembershipAsync(membership, cancellationToken);
            }
            else if (update.CallbackQuery is { } press)
            {
                await HandleButtonAsync(press, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the update is dropped like any other unhandled one at stop.
        }
        catch (Exception ex)
        {
            LogUpdateFailed(logger, update.Id, ex);
        }
    }

    private async Task HandleMessageAsync(Message message, bool isChannelPost, CancellationToken ct)
    {
        var channel = ChannelOf(message.Chat.Id);
        if (message.MigrateToChatId is { } newId)
        {
            // The group became a supergroup: follow it before any alert is sent to the old id.
            if (await channels.GetChannelAsync(channel, ct) is { } known)
            {
                await channels.MoveChannelAsync(known.Id, ChannelOf(newId), ct);
                LogChatMoved(logger, message.Chat.Id, newId);
            }

            return;
        }

        // A file comes as a document whose caption is the command (/feeds import).
        var text = message.Text ?? (message.Document is not null ? message.Caption : null);
        if (string.IsNullOrEmpty(text) || text[0] != '/')
        {
            return;
        }

        var parsed = CommandParser.Parse(text);
        if (parsed.Command?.BotName is { } addressee && BotUsername is { } me &&
            !string.Equals(addressee, me, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        // Admin rights are asked of Telegram only when a command needs them, after Core's rate limit has let it through.
        var isPrivate = message.Chat.Type == ChatType.Private;
        var context = new CommandContext(
            channel,
            message.Chat.Title ?? message.Chat.Username ?? message.Chat.FirstName,
            (message.From?.Id ?? message.SenderChat?.Id ?? 0).ToString(CultureInfo.InvariantCulture),
            UserIsAdmin: isPrivate || isChannelPost,
            IsPrivate: isPrivate,
            AdminCheck: check => IsAdminAsync(message, check))
        {
            // Only the command that reads a file downloads one: a document captioned /help costs no transfer.
            Attachment = message.Document is { } document && WantsFile(parsed.Command)
                ? await DownloadAsync(message.Chat.Id, document, ct)
                : null,
        };
        var reply = await commands.ExecuteAsync(text, context, ct);
        if (reply.Silent)
        {
            return;
        }

        if (reply.Image is { } image)
        {
            // The chart with its text as the caption when it fits Telegram's 1024 characters, else under it.
            var fits = reply.Text.Length <= MaxCaption;
            var photo = await sender.SendPhotoAsync(message.Chat.Id, image.FileName, image.Png, fits ? reply.Text : null, message.Id, ct);
            if (photo is not SendOutcome.Sent)
            {
                LogReplyNotSent(logger, message.Chat.Id, photo.GetType().Name);
            }

            if (fits)
            {
                return;
            }
        }

        await ReplyAsync(message, reply.Text, ct);
        if (reply.Attachment is { Text: { } content } file)
        {
            var outcome = await sender.SendDocumentAsync(message.Chat.Id, file.FileName, Encoding.UTF8.GetBytes(content), message.Id, ct);
            if (outcome is not SendOutcome.Sent)
            {
                // The text reply promised a file: say it did not come, rather than leave the user waiting for it.
                LogReplyNotSent(logger, message.Chat.Id, outcome.GetType().Name);
                await ReplyAsync(message, $"The file {file.FileName} could not be sent ({DescribeFailure(outcome)}). Please try again in a moment.", ct);
            }
        }
    }

    private static string DescribeFailure(SendOutcome outcome) => outcome switch
    {
        SendOutcome.RateLimited => "Telegram asked to slow down",
        SendOutcome.Rejected rejected => rejected.Reason,
        SendOutcome.Unknown => "Telegram did not answer in time",
        SendOutcome.Failed => "Telegram could not be reached",
        _ => "Telegram refused it",
    };

    private static bool WantsFile(ParsedCommand? command) =>
        command is { Name: "feeds", Arguments: [{ Text: var action }, ..] } &&
        action.Equals("import", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// getFile, then the file itself, capped. A failed download is passed on as no file, so the user hears that the
    /// command needs one rather than nothing at all.
    /// </summary>
    private async Task<CommandAttachment?> DownloadAsync(long chatId, Document document, CancellationToken ct)
    {
        var name = document.FileName ?? "file";
        if (document.FileSize > CommandAttachment.MaxBytes)
        {
            // Too big by Telegram's own word: not even a getFile call.
            return new CommandAttachment(name, document.FileSize.Value, Text: null);
        }

        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(_options.RequestTimeout);
            var client = clients.Create();
            var file = await client.GetFile(document.FileId, deadline.Token);
            if (file.FilePath is not { } path)
            {
                throw new InvalidDataException("Telegram did not offer the file for download.");
            }

            return await AttachmentDownload.ReadAsync(
                name, Math.Max(document.FileSize ?? 0, file.FileSize ?? 0), (stream, token) => client.DownloadFile(path, stream, token), deadline.Token);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogDownloadFailed(logger, chatId, ex);
            return null;
        }
    }

    /// <summary>Telegram's own answer: creator or administrator. An anonymous admin posts as the group itself.</summary>
    private async Task<bool> IsAdminAsync(Message message, CancellationToken ct)
    {
        if (message.SenderChat is { } senderChat)
        {
            return senderChat.Id == message.Chat.Id;
        }

        return message.From is { } user && await IsAdminAsync(message.Chat.Id, user.Id, ct);
    }

    private async Task<bool> IsAdminAsync(long chatId, long userId, CancellationToken ct)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(_options.RequestTimeout);
            var member = await clients.Create().GetChatMember(chatId, userId, deadline.Token);
            return member.Status is ChatMemberStatus.Creator or ChatMemberStatus.Administrator;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Unknown is not yes: the command is refused, and the user told the check failed (not that they are no admin).
            LogAdminCheckFailed(logger, chatId, ex);
            throw new AdminCheckFailedException("Telegram did not answer getChatMember.", ex);
        }
    }

    private async Task ReplyAsync(Message message, string text, CancellationToken ct)
    {
        foreach (var chunk in Chunks(text))
        {
            var html = TelegramHtml.Escape(chunk);
            for (var attempt = 1; ; attempt++)
            {
                var outcome = await sender.SendHtmlAsync(message.Chat.Id, html, message.Id, ct);
                if (outcome is SendOutcome.RateLimited { RetryAfter: var after } && attempt < 3 && after <= TimeSpan.FromSeconds(30))
                {
                    // The limiter already holds this chat back until then; the next attempt waits for it there.
                    continue;
                }

                if (outcome is not SendOutcome.Sent)
                {
                    LogReplyNotSent(logger, message.Chat.Id, outcome.GetType().Name);
                    return;
                }

                break;
            }
        }
    }

    /// <summary>
    /// A button under an alert: run as the <c>/button</c> command's typed arguments (as on Discord) through the same
    /// processor as typed commands (rate limits, admin rights, the alert checked against this chat), then answered. Every press is answered, so the
    /// user's app stops waiting; a Why? too long for the 200-character answer goes out as a reply to the alert.
    /// </summary>
    private async Task HandleButtonAsync(CallbackQuery press, CancellationToken ct)
    {
        if (press.Message is not { } message || AlertButtons.Parse(press.Data) is not { } decoded)
        {
            // An inline-mode message, or data AlertBot never wrote: nothing to run.
            await sender.AnswerCallbackAsync(press.Id, "This button no longer works. Nothing was changed.", showAlert: false, ct);
            return;
        }

        var isPrivate = message.Chat.Type == ChatType.Private;
        var context = new CommandContext(
            ChannelOf(message.Chat.Id),
            message.Chat.Title ?? message.Chat.Username ?? message.Chat.FirstName,
            press.From.Id.ToString(CultureInfo.InvariantCulture),
            UserIsAdmin: isPrivate,
            IsPrivate: isPrivate,
            AdminCheck: check => IsAdminAsync(message.Chat.Id, press.From.Id, check));
        var reply = await commands.ExecuteAsync(new ButtonArgs(press.Data!), context, ct);
        if (reply.Silent)
        {
            await sender.AnswerCallbackAsync(press.Id, text: null, showAlert: false, ct);
            return;
        }

        if (reply.Text.Length <= ButtonHandler.MaxAnswerLength)
        {
            // Why? in a box the user dismisses; a settings change as a passing notice.
            await sender.AnswerCallbackAsync(press.Id, reply.Text, showAlert: decoded.Action == AlertAction.Why || reply.IsError, ct);
            return;
        }

        await sender.AnswerCallbackAsync(press.Id, decoded.Action == AlertAction.Why ? "The answer is below." : null, showAlert: false, ct);
        await ReplyAsync(message, reply.Text, ct);
    }

    private async Task HandleMembershipAsync(ChatMemberUpdated membership, CancellationToken ct)
    {
        if (membership.NewChatMember.Status is not (ChatMemberStatus.Kicked or ChatMemberStatus.Left))
        {
            return;
        }

        if (await channels.GetChannelAsync(ChannelOf(membership.Chat.Id), ct) is { Active: true } channel)
        {
            await channels.SetChannelActiveAsync(channel.Id, false, ct);
            LogRemovedFromChat(logger, membership.Chat.Id);
        }
    }

    private static ChannelRef ChannelOf(long chatId) =>
        new(Platforms.Telegram, chatId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Splits a long reply at line breaks (or hard, when a line alone is too long).</summary>
    internal static IEnumerable<string> Chunks(string text)
    {
        if (text.Length == 0)
        {
            yield return "(empty reply)";
            yield break;
        }

        var current = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            var rest = line;
            while (current.Length + rest.Length + 1 > ReplyChunk)
            {
                if (current.Length > 0)
                {
                    yield return current.ToString();
                    current.Clear();
                    continue;
                }

                var cut = char.IsHighSurrogate(rest[ReplyChunk - 1]) ? ReplyChunk - 1 : ReplyChunk;
                yield return rest[..cut];
                rest = rest[cut..];
            }

            if (current.Length > 0)
            {
                current.Append('\n');
            }

            current.Append(rest);
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Error, Message = "Handling Telegram update {UpdateId} failed")]
    private static partial void LogUpdateFailed(ILogger logger, int updateId, Exception exception);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Telegram chat {Chat} moved to {NewChat}; its subscription follows")]
    private static partial void LogChatMoved(ILogger logger, long chat, long newChat);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Could not check admin rights in Telegram chat {Chat}; treating the user as not an admin")]
    private static partial void LogAdminCheckFailed(ILogger logger, long chat, Exception exception);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Warning, Message = "Command reply to Telegram chat {Chat} not sent: {Outcome}")]
    private static partial void LogReplyNotSent(ILogger logger, long chat, string outcome);

    [LoggerMessage(EventId = 3206, Level = LogLevel.Warning, Message = "Could not download a file sent in Telegram chat {Chat}")]
    private static partial void LogDownloadFailed(ILogger logger, long chat, Exception exception);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Information, Message = "AlertBot was removed from Telegram chat {Chat}; the chat is deactivated")]
    private static partial void LogRemovedFromChat(ILogger logger, long chat);
}
