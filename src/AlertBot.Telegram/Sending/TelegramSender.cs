using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace AlertBot.Telegram.Sending;

/// <summary>How one sendMessage ended, in the terms the callers decide on.</summary>
public abstract record SendOutcome
{
    private SendOutcome()
    {
    }

    public sealed record Sent(int MessageId) : SendOutcome;

    /// <summary>429: the server's own wait.</summary>
    public sealed record RateLimited(TimeSpan RetryAfter, string Reason) : SendOutcome;

    /// <summary>403: blocked, kicked, or the chat is gone.</summary>
    public sealed record Forbidden(string Reason) : SendOutcome;

    /// <summary>400 with migrate_to_chat_id: the group became a supergroup with this id.</summary>
    public sealed record Migrated(long NewChatId) : SendOutcome;

    /// <summary>Anything else: other 4xx, 5xx, timeouts, network errors.</summary>
    public sealed record Failed(string Reason) : SendOutcome;

    /// <summary>An edit of a message Telegram no longer has, or will not let the bot edit.</summary>
    public sealed record NotEditable(string Reason) : SendOutcome;
}

/// <summary>
/// The one way AlertBot sends a message to Telegram: through the rate limiter, with a deadline, the answer turned into
/// a <see cref="SendOutcome"/> instead of an exception. Alerts and command replies both go through here.
/// </summary>
public sealed partial class TelegramSender
{
    private readonly TelegramClientFactory _clients;
    private readonly TelegramRateLimiter _limiter;
    private readonly TelegramOptions _options;
    private readonly ILogger<TelegramSender> _logger;

    public TelegramSender(TelegramClientFactory clients, TelegramRateLimiter limiter, IOptions<TelegramOptions> options, ILogger<TelegramSender> logger)
    {
        _clients = clients;
        _limiter = limiter;
        _options = options.Value;
        _logger = logger;
    }

    public Task<SendOutcome> SendHtmlAsync(
        ChatId chat, string html, int? replyTo, CancellationToken cancellationToken, InlineKeyboardMarkup? buttons = null) =>
        CallAsync(
            chat,
            async (client, ct) => (await client.SendMessage(
                chatId: chat,
                text: html,
                parseMode: ParseMode.Html,
                replyParameters: replyTo is { } id ? new ReplyParameters { MessageId = id, AllowSendingWithoutReply = true } : null,
                replyMarkup: buttons,
                linkPreviewOptions: _options.DisableLinkPreview ? new LinkPreviewOptions { IsDisabled = true } : null,
                cancellationToken: ct)).Id,
            cancellationToken);

    /// <summary>
    /// answerCallbackQuery: stops the pressed button's spinner and shows <paramref name="text"/> (at most 200
    /// characters) to the user who pressed it. Not rate limited per chat (it posts nothing in the chat); a failure is
    /// logged and the press is lost, as it would be if the user's app dropped it.
    /// </summary>
    public async Task<bool> AnswerCallbackAsync(string queryId, string? text, bool showAlert, CancellationToken cancellationToken)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.RequestTimeout);
            await _clients.Create().AnswerCallbackQuery(queryId, text, showAlert, cancellationToken: deadline.Token);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is RequestException or HttpRequestException or IOException or OperationCanceledException)
        {
            LogCallbackNotAnswered(_logger, ex);
            return false;
        }
    }

    /// <summary>sendDocument: a small file (an OPML export) uploaded from memory.</summary>
    public Task<SendOutcome> SendDocumentAsync(ChatId chat, string fileName, byte[] content, int? replyTo, CancellationToken cancellationToken) =>
        CallAsync(
            chat,
            async (client, ct) =>
            {
                // A fresh stream per attempt: an upload reads it to the end.
                await using var stream = new MemoryStream(content, writable: false);
                return (await client.SendDocument(
                    chatId: chat,
                    document: InputFile.FromStream(stream, fileName),
                    replyParameters: replyTo is { } id ? new ReplyParameters { MessageId = id, AllowSendingWithoutReply = true } : null,
                    cancellationToken: ct)).Id;
            },
            cancellationToken);

    /// <summary>sendPhoto: a picture made in memory (a /trend chart) with a caption of at most 1024 characters.</summary>
    public Task<SendOutcome> SendPhotoAsync(ChatId chat, string fileName, byte[] png, string? caption, int? replyTo, CancellationToken cancellationToken) =>
        CallAsync(
            chat,
            async (client, ct) =>
            {
                await using var stream = new MemoryStream(png, writable: false);
                return (await client.SendPhoto(
                    chatId: chat,
                    photo: InputFile.FromStream(stream, fileName),
                    caption: caption,
                    replyParameters: replyTo is { } id ? new ReplyParameters { MessageId = id, AllowSendingWithoutReply = true } : null,
                    cancellationToken: ct)).Id;
            },
            cancellationToken);

    /// <summary>editMessageText: the message <paramref name="messageId"/> shows <paramref name="html"/> instead.</summary>
    public async Task<SendOutcome> EditHtmlAsync(ChatId chat, int messageId, string html, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync(
                chat,
                async (client, ct) => (await client.EditMessageText(
                    chatId: chat,
                    messageId: messageId,
                    text: html,
                    parseMode: ParseMode.Html,
                    linkPreviewOptions: _options.DisableLinkPreview ? new LinkPreviewOptions { IsDisabled = true } : null,
                    cancellationToken: ct)).Id,
                cancellationToken,
                rethrowBadRequest: true);
        }
        catch (ApiRequestException ex) when (ex.Message.Contains("message is not modified", StringComparison.OrdinalIgnoreCase))
        {
            // The message already says this (the alert went out after the story grew): the edit's work is done.
            return new SendOutcome.Sent(messageId);
        }
        catch (ApiRequestException ex) when (ex.Message.Contains("message to edit not found", StringComparison.OrdinalIgnoreCase) ||
                                             ex.Message.Contains("message can't be edited", StringComparison.OrdinalIgnoreCase))
        {
            return new SendOutcome.NotEditable(Describe(ex));
        }
        catch (ApiRequestException ex)
        {
            LogRefused(_logger, chat.ToString(), ex.ErrorCode, ex.Message);
            return new SendOutcome.Failed(Describe(ex));
        }
    }

    /// <summary>One Bot API call through the limiter and the deadline, its answer turned into an outcome.</summary>
    /// <param name="rethrowBadRequest">A 400 that is not a migration goes to the caller, which knows what it means.</param>
    private async Task<SendOutcome> CallAsync(
        ChatId chat, Func<ITelegramBotClient, CancellationToken, Task<int>> call, CancellationToken cancellationToken, bool rethrowBadRequest = false)
    {
        var key = chat.ToString();
        try
        {
            using var lease = await _limiter.AcquireAsync(key, cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.RequestTimeout);
            return new SendOutcome.Sent(await call(_clients.Create(), deadline.Token));
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 429)
        {
            var after = TimeSpan.FromSeconds(Math.Max(1, ex.Parameters?.RetryAfter ?? 1));
            _limiter.Penalize(key, after);
            LogRateLimited(_logger, key, after.TotalSeconds);
            return new SendOutcome.RateLimited(after, Describe(ex));
        }
        catch (ApiRequestException ex) when (ex.Parameters?.MigrateToChatId is { } newId)
        {
            LogMigrated(_logger, key, newId);
            return new SendOutcome.Migrated(newId);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 403)
        {
            LogForbidden(_logger, key, ex.Message);
            return new SendOutcome.Forbidden(Describe(ex));
        }
        catch (ApiRequestException ex) when (!(rethrowBadRequest && ex.ErrorCode == 400))
        {
            LogRefused(_logger, key, ex.ErrorCode, ex.Message);
            return new SendOutcome.Failed(Describe(ex));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            LogSendFailed(_logger, key, ex);
            return new SendOutcome.Failed("timed out");
        }
        catch (Exception ex) when (ex is RequestException and not ApiRequestException or HttpRequestException or IOException)
        {
            LogSendFailed(_logger, key, ex);
            return new SendOutcome.Failed("network error: " + ex.GetType().Name);
        }
    }

    private static string Describe(ApiRequestException ex) =>
        string.Create(CultureInfo.InvariantCulture, $"Telegram {ex.ErrorCode}: {ex.Message}");

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Telegram rate limit for chat {Chat}: retry after {Seconds} s")]
    private static partial void LogRateLimited(ILogger logger, string chat, double seconds);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Telegram chat {Chat} moved to {NewChat} (group became a supergroup)")]
    private static partial void LogMigrated(ILogger logger, string chat, long newChat);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Telegram refuses chat {Chat}: {Reason}")]
    private static partial void LogForbidden(ILogger logger, string chat, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Telegram refused a message to chat {Chat} with {Code}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string chat, int code, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Answering a Telegram button press failed")]
    private static partial void LogCallbackNotAnswered(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Sending to Telegram chat {Chat} failed")]
    private static partial void LogSendFailed(ILogger logger, string chat, Exception exception);
}
