using System.Globalization;
using System.Text.Json;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AlertBot.Telegram.Receiving;

/// <summary>
/// Receives updates: at start it learns its own name, publishes the command menu and (polling mode) removes any
/// webhook; then it long-polls getUpdates, hands each update to the <see cref="UpdateDispatcher"/>, and stores the
/// next offset after each batch so a restart never handles an update twice. Each step (start-up, reading the stored
/// offset, each getUpdates) runs in a Polly retry pipeline that backs off with jitter up to
/// <see cref="TelegramOptions.ErrorBackoffMax"/> (<see cref="ErrorBackoff"/>); nothing a user sends can end the loop.
/// </summary>
/// <remarks>
/// Telegram lets one getUpdates caller per token at a time (others get 409), so with several instances the polling
/// runs under the <see cref="LeaseName"/> lease: one instance polls, the others stand by and take over when it stops
/// or dies, reading on from the offset it stored. Set-up (menu, webhook, the bot's name) runs on every instance: it is
/// idempotent, and in webhook mode any instance may be handed an update.
/// </remarks>
public sealed partial class TelegramUpdateReceiver : BackgroundService
{
    public const string OffsetStateKey = "telegram:offset";

    /// <summary>The lease whose holder polls getUpdates.</summary>
    public const string LeaseName = "telegram:poller";

    private static readonly UpdateType[] Wanted = [UpdateType.Message, UpdateType.ChannelPost, UpdateType.MyChatMember, UpdateType.CallbackQuery];

    private readonly TelegramClientFactory _clients;
    private readonly UpdateDispatcher _dispatcher;
    private readonly TelegramUpdateHandler _handler;
    private readonly IStateStore _state;
    private readonly TelegramOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TelegramUpdateReceiver> _logger;
    private readonly ResiliencePipeline _startUpRetry;
    private readonly ResiliencePipeline _offsetRetry;
    private readonly ResiliencePipeline _pollRetry;
    private readonly LeasedWorkRunner _leased;
    private readonly TelegramReceiverStatus _status;

    public TelegramUpdateReceiver(
        TelegramClientFactory clients,
        UpdateDispatcher dispatcher,
        TelegramUpdateHandler handler,
        IStateStore state,
        IOptions<TelegramOptions> options,
        TimeProvider time,
        ILogger<TelegramUpdateReceiver> logger,
        TelegramReceiverStatus status,
        LeasedWorkRunner leased)
    {
        _status = status;
        _leased = leased;
        _clients = clients;
        _dispatcher = dispatcher;
        _handler = handler;
        _state = state;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _startUpRetry = Retry("start-up");
        _offsetRetry = Retry("reading the saved update offset");
        _pollRetry = Retry("getUpdates");
    }

    /// <summary>
    /// The wait after failures in a row: <see cref="TelegramOptions.ErrorBackoffInitial"/> doubling up to
    /// <see cref="TelegramOptions.ErrorBackoffMax"/>, drawn from the upper half of that ceiling.
    /// </summary>
    internal static RetryDelay ErrorBackoff(TelegramOptions options) =>
        new(options.ErrorBackoffInitial, options.ErrorBackoffMax, JitterLow: 0.5, JitterHigh: 1);

    /// <summary>Retries every failure of <paramref name="step"/> until stopped; a success starts the count afresh.</summary>
    private ResiliencePipeline Retry(string step) => ErrorBackoff(_options).RetryForever(
        _time,
        shouldRetry: _ => true,
        onRetry: (ex, wait) =>
        {
            LogFailure(ex, step, wait);
            return ValueTask.CompletedTask;
        },
        serverWait: (ex, wait) => ex is ApiRequestException { ErrorCode: 429, Parameters.RetryAfter: { } after }
            ? TimeSpan.FromSeconds(Math.Max(wait.TotalSeconds, after))
            : wait);

    /// <summary>The bot menu: every command with its one-line description.</summary>
    public static IReadOnlyList<BotCommand> MenuCommands { get; } = CommandCatalog.All
        .Select(c => new BotCommand { Command = c.Name, Description = c.Description.Length <= 256 ? c.Description : c.Description[..256] })
        .ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await StartUpAsync(stoppingToken);
            if (_options.Mode == TelegramMode.Webhook)
            {
                // Updates arrive through TelegramWebhookHandler; this service only set things up.
                return;
            }

            // One instance polls (with several sharing a database, whoever holds the lease).
            await _leased.RunAsync(LeaseName, PollAsync, _status.Lease, _logger, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await DrainAsync();
        }
    }

    private async Task StartUpAsync(CancellationToken stop) => await _startUpRetry.ExecuteAsync(
        async token =>
        {
            var client = _clients.Create();
            if (_options.Mode == TelegramMode.Polling)
            {
                await client.DeleteWebhook(dropPendingUpdates: false, cancellationToken: token);
            }
            else
            {
                await client.SetWebhook(
                    url: _options.WebhookUrl!,
                    allowedUpdates: Wanted,
                    secretToken: _options.WebhookSecret,
                    cancellationToken: token);
            }

            var me = await client.GetMe(token);
            _handler.BotUsername = me.Username;
            await PublishMenuAsync(client, token);
            LogStarted(_logger, me.Username ?? "?");
            _status.StartedUp(_options.Mode == TelegramMode.Webhook, _time.GetUtcNow());
        },
        stop);

    /// <summary>The command menu is a convenience: failing to set it must not keep the bot from answering.</summary>
    private async Task PublishMenuAsync(ITelegramBotClient client, CancellationToken stop)
    {
        try
        {
            await client.SetMyCommands(MenuCommands, cancellationToken: stop);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            LogMenuNotSet(_logger, ex);
        }
    }

    private async Task PollAsync(CancellationToken stop)
    {
        _status.Polled(_time.GetUtcNow());
        var offset = await LoadOffsetAsync(stop);
        var pollSeconds = (int)Math.Ceiling(_options.PollTimeout.TotalSeconds);
        while (!stop.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            Batch batch;
            try
            {
                var asked = offset;
                batch = await _pollRetry.ExecuteAsync(token => FetchAsync(asked, pollSeconds, token), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            if (batch.SkippedTo is { } skipped)
            {
                offset = skipped;
                await SaveOffsetAsync(skipped, stop);
                continue;
            }

            var updates = batch.Updates;

            // A server that ignores the offset hands out what was already taken: nothing new, not something to redo.
            if (offset is { } from)
            {
                updates = Array.FindAll(updates, u => u.Id >= from);
            }

            if (updates.Length == 0)
            {
                await SpaceEmptyPollAsync(started, stop);
                continue;
            }

            foreach (var update in updates.OrderBy(u => u.Id))
            {
                await _dispatcher.EnqueueAsync(update, stop);
            }

            var next = updates.Max(u => u.Id) + 1;
            offset = next;
            await SaveOffsetAsync(next, stop);
        }
    }

    /// <summary>What one getUpdates brought: updates, or (when some could not be read) the offset past them.</summary>
    private sealed record Batch(Update[] Updates, int? SkippedTo);

    /// <summary>
    /// One getUpdates call. A batch the library cannot read is fetched again as raw JSON and read one by one, so one
    /// bad update cannot wedge polling on the same offset; only when that gets nothing past it does the call fail
    /// (and the pipeline back off).
    /// </summary>
    private async ValueTask<Batch> FetchAsync(int? offset, int pollSeconds, CancellationToken stop)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
            deadline.CancelAfter(_options.PollTimeout + _options.RequestTimeout);
            var updates = await _clients.Create().GetUpdates(
                offset: offset,
                limit: 100,
                timeout: pollSeconds,
                allowedUpdates: Wanted,
                cancellationToken: deadline.Token);
            _status.Polled(_time.GetUtcNow());
            return new Batch(updates, null);
        }
        catch (Exception ex) when (IsUnreadable(ex) && !stop.IsCancellationRequested)
        {
            var skippedTo = await ReadOneByOneAsync(offset, stop);
            if (skippedTo != offset && skippedTo is { } skipped)
            {
                return new Batch([], skipped);
            }

            throw;
        }
    }

    /// <summary>
    /// A long poll that returns empty ends when the server's wait did; one that returns empty at once (a server or
    /// proxy ignoring the timeout) would otherwise be repeated in a tight loop, so it waits out the rest of
    /// <see cref="TelegramOptions.MinPollInterval"/> from the start of the call.
    /// </summary>
    private async Task SpaceEmptyPollAsync(long started, CancellationToken stop)
    {
        var left = _options.MinPollInterval - _time.GetElapsedTime(started);
        if (left > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(left, _time, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping: the loop ends on its own check.
            }
        }
    }

    private static bool IsUnreadable(Exception ex) =>
        ex is JsonException || ex.InnerException is JsonException || ex.InnerException?.InnerException is JsonException;

    /// <summary>Fetches the batch as raw JSON and hands off every update that reads; the rest are logged and skipped.</summary>
    /// <returns>The offset after the batch, or the old one when nothing could be read.</returns>
    private async Task<int?> ReadOneByOneAsync(int? offset, CancellationToken stop)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
            deadline.CancelAfter(_options.RequestTimeout);
            var body = new Dictionary<string, object?> { ["offset"] = offset, ["limit"] = 100, ["timeout"] = 0 };
            if (await _clients.CallRawAsync("getUpdates", body, deadline.Token) is not { ValueKind: JsonValueKind.Array } batch)
            {
                return offset;
            }

            var next = offset;
            foreach (var element in batch.EnumerateArray())
            {
                int? id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("update_id", out var idElement) &&
                    idElement.TryGetInt32(out var value) ? value : null;
                try
                {
                    if (element.Deserialize<Update>(JsonBotAPI.Options) is { } update && id is not null)
                    {
                        await _dispatcher.EnqueueAsync(update, stop);
                    }
                }
                catch (JsonException ex)
                {
                    LogUnreadableUpdate(_logger, id, ex);
                }

                if (id is { } known && (next is null || known + 1 > next))
                {
                    next = known + 1;
                }
            }

            return next;
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            LogRawReadFailed(_logger, ex);
            return offset;
        }
    }

    private void LogFailure(Exception ex, string step, TimeSpan wait)
    {
        switch (ex)
        {
            case ApiRequestException { ErrorCode: 409 } conflict:
                LogConflict(_logger, conflict.Message, wait.TotalSeconds);
                break;
            case ApiRequestException { ErrorCode: 401 or 404 } unauthorized:
                _status.TokenRefused();
                LogUnauthorized(_logger, unauthorized.ErrorCode, wait.TotalSeconds);
                break;
            case RequestException or HttpRequestException or IOException or OperationCanceledException:
                // Expected on a flaky network (a 429 included): one line with the cause, no stack trace.
                LogStepFailed(_logger, step, Sending.TelegramSender.Reason(ex), wait.TotalSeconds);
                break;
            default:
                LogStepFailedUnexpectedly(_logger, step, wait.TotalSeconds, ex);
                break;
        }
    }

    /// <summary>Without the saved offset, polling would hand out updates already handled: wait for the database.</summary>
    private async Task<int?> LoadOffsetAsync(CancellationToken stop) => await _offsetRetry.ExecuteAsync(
        async token =>
        {
            var stored = await _state.GetStateAsync(OffsetStateKey, token);
            return int.TryParse(stored, NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset) ? (int?)offset : null;
        },
        stop);

    private async Task SaveOffsetAsync(int offset, CancellationToken stop)
    {
        try
        {
            await _state.SetStateAsync(OffsetStateKey, offset.ToString(CultureInfo.InvariantCulture), stop);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            // Polling goes on: Telegram itself forgets these updates once the next getUpdates confirms the offset.
            LogOffsetNotSaved(_logger, offset, ex);
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            await _dispatcher.WhenIdleAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            LogDrainTimedOut(_logger);
        }
    }

    // The first line an operator looks for after `docker run`: who the bot is and what to do next.
    [LoggerMessage(EventId = 3301, Level = LogLevel.Information,
        Message = "Telegram: connected as @{Bot}. Send /subscribe in a chat to start alerts.")]
    private static partial void LogStarted(ILogger logger, string bot);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Error,
        Message = "Telegram getUpdates conflict: another instance is polling this token, or a webhook is set ({Reason}); retrying in {Seconds:0.0} s")]
    private static partial void LogConflict(ILogger logger, string reason, double seconds);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Error,
        Message = "Telegram rejected the bot token ({Code}): check AlertBot:Telegram:Token; retrying in {Seconds:0.0} s")]
    private static partial void LogUnauthorized(ILogger logger, int code, double seconds);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Warning, Message = "Telegram {Step} failed: {Reason}; retrying in {Seconds:0.0} s")]
    private static partial void LogStepFailed(ILogger logger, string step, string reason, double seconds);

    [LoggerMessage(EventId = 3310, Level = LogLevel.Error, Message = "Telegram {Step} failed unexpectedly; retrying in {Seconds:0.0} s")]
    private static partial void LogStepFailedUnexpectedly(ILogger logger, string step, double seconds, Exception exception);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Warning, Message = "Could not store the Telegram update offset {Offset}")]
    private static partial void LogOffsetNotSaved(ILogger logger, int offset, Exception exception);

    [LoggerMessage(EventId = 3307, Level = LogLevel.Warning, Message = "Telegram update {UpdateId} could not be read and is skipped")]
    private static partial void LogUnreadableUpdate(ILogger logger, int? updateId, Exception exception);

    [LoggerMessage(EventId = 3308, Level = LogLevel.Warning, Message = "Telegram command menu (setMyCommands) not set; commands still work when typed")]
    private static partial void LogMenuNotSet(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3309, Level = LogLevel.Warning, Message = "Reading Telegram updates one by one failed")]
    private static partial void LogRawReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3306, Level = LogLevel.Warning, Message = "Telegram updates still being handled at shutdown were abandoned")]
    private static partial void LogDrainTimedOut(ILogger logger);
}
