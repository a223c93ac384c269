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

    /// <summary>Telegram accepted it. <paramref name="MessageId"/> is null when its answer said "ok" but could not be read.</summary>
    public sealed record Sent(int? MessageId) : SendOutcome;

    /// <summary>429: the server's own wait.</summary>
    public sealed record RateLimited(TimeSpan RetryAfter, string Reason) : SendOutcome;

    /// <summary>403: blocked, kicked, or the chat is gone.</summary>
    public sealed record Forbidden(string Reason) : SendOutcome;

    /// <summary>400 with migrate_to_chat_id: the group became a supergroup with this id.</summary>
    public sealed record Migrated(long NewChatId) : SendOutcome;

    /// <summary>Not posted: the request never reached Telegram (no connection), or Telegram answered 5xx.</summary>
    public sealed record Failed(string Reason) : SendOutcome;

    /// <summary>Telegram answered and refused this message (a 4xx other than 403 and 429): sending it again will not help by itself.</summary>
    public sealed record Rejected(int Code, string Reason) : SendOutcome;

    /// <summary>The request went out and the answer was lost (a timeout, a connection cut, a 200 without a readable "ok"): it may have been posted.</summary>
    public sealed record Unknown(string Reason) : SendOutcome;

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
                replyParameters: ReplyTo(replyTo),
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
            LogCallbackNotAnswered(_logger, Reason(ex));
            return false;
        }
    }

    /// <summary>sendDocument: a small file (an OPML export) uploaded from memory.</summary>
    public Task<SendOutcome> SendDocumentAsync(ChatId chat, string fileName, byte[] content, int? replyTo, CancellationToken cancellationToken) =>
        UploadAsync(
            chat,
            fileName,
            content,
            (client, file, ct) => client.SendDocument(chatId: chat, document: file, replyParameters: ReplyTo(replyTo), cancellationToken: ct),
            cancellationToken);

    /// <summary>sendPhoto: a picture made in memory (a /trend chart) with a caption of at most 1024 characters.</summary>
    public Task<SendOutcome> SendPhotoAsync(ChatId chat, string fileName, byte[] png, string? caption, int? replyTo, CancellationToken cancellationToken) =>
        UploadAsync(
            chat,
            fileName,
            png,
            (client, file, ct) => client.SendPhoto(chatId: chat, photo: file, caption: caption, replyParameters: ReplyTo(replyTo), cancellationToken: ct),
            cancellationToken);

    /// <summary>One upload of bytes held in memory, as <paramref name="fileName"/>.</summary>
    private Task<SendOutcome> UploadAsync(
        ChatId chat,
        string fileName,
        byte[] content,
        Func<ITelegramBotClient, InputFile, CancellationToken, Task<Message>> send,
        CancellationToken cancellationToken) =>
        CallAsync(
            chat,
            async (client, ct) =>
            {
                // A fresh stream per attempt: an upload reads it to the end.
                await using var stream = new MemoryStream(content, writable: false);
                return (await send(client, InputFile.FromStream(stream, fileName), ct)).Id;
            },
            cancellationToken);

    /// <summary>Answers message <paramref name="messageId"/>, or nothing; still sent if that message is gone.</summary>
    private static ReplyParameters? ReplyTo(int? messageId) =>
        messageId is { } id ? new ReplyParameters { MessageId = id, AllowSendingWithoutReply = true } : null;

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
            // Only a 400 is passed up here: Telegram refused this edit.
            LogRefused(_logger, chat.ToString(), ex.ErrorCode, ex.Message);
            return new SendOutcome.Rejected(ex.ErrorCode, Describe(ex));
        }
    }

    /// <summary>One Bot API call through the limiter and the deadline, its answer turned into an outcome.</summary>
    /// <param name="rethrowBadRequest">A 400 that is not a migration goes to the caller, which knows what it means.</param>
    /// <remarks>
    /// Three ways a send ends: posted (<see cref="SendOutcome.Sent"/>), not posted (every outcome that carries
    /// Telegram's refusal, and <see cref="SendOutcome.Failed"/> when the request never got an answer from Telegram itself
    /// because no connection was made or a 5xx came back), or unknown (<see cref="SendOutcome.Unknown"/>: the request went
    /// out and its answer was lost). An HTTP 200 whose JSON says <c>"ok": true</c> is posted whatever its
    /// <c>result</c> holds: <see cref="BotApiAnswerRecorder"/> notes the flag before the library reads the result.
    /// </remarks>
    private async Task<SendOutcome> CallAsync(
        ChatId chat, Func<ITelegramBotClient, CancellationToken, Task<int>> call, CancellationToken cancellationToken, bool rethrowBadRequest = false)
    {
        var key = chat.ToString();
        using var lease = await _limiter.AcquireAsync(key, cancellationToken);
        var answer = BotApiAnswerRecorder.Watch();
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.RequestTimeout);
            return new SendOutcome.Sent(await call(_clients.Create(), deadline.Token));
        }
        catch (Exception ex) when (answer.Accepted && ex is not ApiRequestException)
        {
            // Posted: only the answer's body was beyond the library (or the deadline hit while it read it). The message id
            // is lost, so a later story update is sent as a follow-up instead of an edit.
            LogAcceptedUnreadable(_logger, key, Reason(ex));
            return new SendOutcome.Sent(null);
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
            return ex.ErrorCode is >= 400 and < 500 ? new SendOutcome.Rejected(ex.ErrorCode, Describe(ex)) : FromStatus(ex.ErrorCode, Describe(ex));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            LogSendFailed(_logger, key, "timed out");
            return new SendOutcome.Unknown(string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s"));
        }
        catch (Exception ex) when (ex is RequestException and not ApiRequestException or HttpRequestException && NeverConnected(ex))
        {
            // No connection was made, so nothing was sent.
            LogSendFailed(_logger, key, Reason(ex));
            return new SendOutcome.Failed("network error: no connection to the Bot API server");
        }
        catch (RequestException ex) when (ex is not ApiRequestException && answer.Status is { } status and not 200)
        {
            // An error status whose body is not the Bot API's (a proxy's error page).
            LogSendFailed(_logger, key, Reason(ex));
            return FromStatus(status, string.Create(CultureInfo.InvariantCulture, $"HTTP {status} without a Bot API answer"));
        }
        catch (Exception ex) when (ex is RequestException and not ApiRequestException or HttpRequestException or IOException)
        {
            // The request was (or may have been) sent and no usable answer came back.
            LogSendFailed(_logger, key, Reason(ex));
            return answer.Status is { } got
                ? new SendOutcome.Unknown(string.Create(CultureInfo.InvariantCulture, $"HTTP {got} with an answer that could not be read"))
                : new SendOutcome.Unknown("connection lost before the answer: " + ex.GetType().Name);
        }
    }

    /// <summary>The request failed before a connection stood (refused, unresolvable, TLS or proxy set-up), so it never went out.</summary>
    private static bool NeverConnected(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException http)
            {
                return http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                    or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;
            }
        }

        return false;
    }

    /// <summary>
    /// An error status: 5xx means Telegram (or the proxy before it) did not post the message, except a gateway timeout,
    /// which means the request went on and its fate is unknown; 4xx is a refusal of this request.
    /// </summary>
    private static SendOutcome FromStatus(int status, string reason) => status switch
    {
        504 => new SendOutcome.Unknown(reason),
        >= 400 and < 500 => new SendOutcome.Rejected(status, reason),
        _ => new SendOutcome.Failed(reason),
    };

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

    /// <summary>
    /// An expected failure in one line: each exception's type and message down the chain, never the stack trace (a
    /// network error is expected and retried; a stack trace made its log line kilobytes long).
    /// </summary>
    internal static string Reason(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null && parts.Count < 4; e = e.InnerException)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}"));
        }

        return string.Join(" <- ", parts);
    }

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Sending to Telegram chat {Chat} failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string chat, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning,
        Message = "Telegram accepted a message to chat {Chat} (\"ok\": true) but its answer could not be read ({Reason}); counted as delivered without a message id")]
    private static partial void LogAcceptedUnreadable(ILogger logger, string chat, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Answering a Telegram button press failed: {Reason}")]
    private static partial void LogCallbackNotAnswered(ILogger logger, string reason);
}
