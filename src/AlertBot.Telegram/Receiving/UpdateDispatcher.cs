using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot.Types;

namespace AlertBot.Telegram.Receiving;

/// <summary>
/// Hands updates to handlers so the poll loop (or the webhook request) returns at once: different chats are handled
/// in parallel up to a bound, each chat's updates strictly in order, and at most a bounded number wait.
/// </summary>
public sealed partial class UpdateDispatcher : IAsyncDisposable, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Queue<Update>> _queues = [];
    private readonly SemaphoreSlim _capacity;
    private readonly SemaphoreSlim _workers;
    private readonly TelegramUpdateHandler _handler;
    private readonly ILogger<UpdateDispatcher> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _idle = Completed();
    private int _pending;

    public UpdateDispatcher(TelegramUpdateHandler handler, IOptions<TelegramOptions> options, ILogger<UpdateDispatcher> logger)
    {
        _handler = handler;
        _logger = logger;
        _capacity = new SemaphoreSlim(options.Value.HandlerQueueCapacity);
        _workers = new SemaphoreSlim(options.Value.HandlerConcurrency);
    }

    /// <summary>Queues the update behind earlier ones of its chat; waits only when the queue is full.</summary>
    public async ValueTask EnqueueAsync(Update update, CancellationToken cancellationToken)
    {
        await _capacity.WaitAsync(cancellationToken);
        var key = ChatKey(update);
        Queue<Update>? started = null;
        lock (_gate)
        {
            if (_pending++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            if (_queues.TryGetValue(key, out var queue))
            {
                queue.Enqueue(update);
            }
            else
            {
                started = new Queue<Update>();
                started.Enqueue(update);
                _queues[key] = started;
            }
        }

        if (started is not null)
        {
            _ = Task.Run(() => DrainChatAsync(key, started), CancellationToken.None);
        }
    }

    /// <summary>Completes when every queued update has been handled (or the timeout passed).</summary>
    public async Task WhenIdleAsync(TimeSpan timeout)
    {
        Task idle;
        lock (_gate)
        {
            idle = _idle.Task;
        }

        await idle.WaitAsync(timeout);
    }

    private async Task DrainChatAsync(long key, Queue<Update> queue)
    {
        try
        {
            await _workers.WaitAsync(_stopping.Token);
        }
        catch (OperationCanceledException)
        {
            DropAll(key, queue);
            return;
        }

        try
        {
            while (true)
            {
                Update update;
                lock (_gate)
                {
                    if (queue.Count == 0)
                    {
                        _queues.Remove(key);
                        return;
                    }

                    update = queue.Dequeue();
                }

                try
                {
                    await _handler.HandleAsync(update, _stopping.Token);
                }
                catch (Exception ex)
                {
                    // The handler catches what it can explain; this is the last guard so one update never stops a chat.
                    LogHandlerFailed(_logger, update.Id, ex);
                }
                finally
                {
                    Done();
                }
            }
        }
        finally
        {
            _workers.Release();
        }
    }

    private void DropAll(long key, Queue<Update> queue)
    {
        int dropped;
        lock (_gate)
        {
            dropped = queue.Count;
            queue.Clear();
            _queues.Remove(key);
        }

        for (var i = 0; i < dropped; i++)
        {
            Done();
        }
    }

    private void Done()
    {
        _capacity.Release();
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_pending == 0)
            {
                idle = _idle;
            }
        }

        idle?.TrySetResult();
    }

    internal static long ChatKey(Update update) =>
        update.Message?.Chat.Id ?? update.ChannelPost?.Chat.Id ?? update.MyChatMember?.Chat.Id ??
        update.EditedMessage?.Chat.Id ?? update.EditedChannelPost?.Chat.Id ?? 0;

    /// <summary>Stops handing out work: updates still queued are dropped (the receiver drains before this at stop).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Dispose();
    }

    public void Dispose()
    {
        // The semaphores are left to the collector: a handler finishing after disposal still releases them.
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Handling Telegram update {UpdateId} failed")]
    private static partial void LogHandlerFailed(ILogger logger, int updateId, Exception exception);
}
