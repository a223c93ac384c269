using Microsoft.Extensions.Options;

namespace AlertBot.Telegram.Sending;

/// <summary>
/// Keeps every message AlertBot sends (alerts and command replies) inside Telegram's limits: one per chat per
/// interval, a count per group or channel per window, and a count overall per window.
/// </summary>
/// <remarks>
/// A send counts from the moment it starts until it completes, and its window is measured from its completion: the
/// server sees each request somewhere between those two instants, so a limit kept this way on our side is also kept
/// as the server measures it, with no safety margin to guess.
/// </remarks>
public sealed class TelegramRateLimiter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ChatState> _chats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Window> _groups = new(StringComparer.Ordinal);
    private readonly Window _global = new();
    private readonly TimeProvider _time;
    private readonly TelegramOptions _options;
    private TaskCompletionSource _changed = NewSignal();
    private int _acquisitions;

    public TelegramRateLimiter(IOptions<TelegramOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
    }

    private sealed class ChatState
    {
        public DateTimeOffset NextAllowed { get; set; }
        public bool InFlight { get; set; }
    }

    private sealed class Window
    {
        public Queue<DateTimeOffset> Completed { get; } = new();
        public int InFlight { get; set; }
    }

    /// <summary>A permission to send one message to one chat; dispose it when the request has completed.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly TelegramRateLimiter _owner;
        private readonly string _chat;
        private int _disposed;

        internal Lease(TelegramRateLimiter owner, string chat)
        {
            _owner = owner;
            _chat = chat;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Release(_chat);
            }
        }
    }

    /// <param name="chat">The chat id as Telegram takes it: a number, or @channelname.</param>
    public async Task<Lease> AcquireAsync(string chat, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            Task changed;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                wait = WaitFor(chat, now);
                if (wait != Timeout.InfiniteTimeSpan && wait <= TimeSpan.Zero)
                {
                    Reserve(chat);
                    return new Lease(this, chat);
                }

                changed = _changed.Task;
            }

            // Woken by the clock or by any send completing, whichever is first; then look again.
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = wait == Timeout.InfiniteTimeSpan ? Task.Delay(Timeout.Infinite, cts.Token) : Task.Delay(wait, _time, cts.Token);
            await Task.WhenAny(delay, changed.WaitAsync(cancellationToken));
            await cts.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The server asked this chat to wait (429 retry_after): nothing more is sent to it before then.</summary>
    public void Penalize(string chat, TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var state = ChatOf(chat);
            var until = _time.GetUtcNow() + retryAfter;
            if (until > state.NextAllowed)
            {
                state.NextAllowed = until;
            }
        }
    }

    /// <summary>Groups, supergroups and channels have negative ids (or an @name); users have positive ones.</summary>
    internal static bool IsGroupLike(string chat) => chat.StartsWith('-') || chat.StartsWith('@');

    private TimeSpan WaitFor(string chat, DateTimeOffset now)
    {
        var wait = TimeSpan.Zero;
        if (_chats.TryGetValue(chat, out var state))
        {
            if (state.InFlight)
            {
                return Timeout.InfiniteTimeSpan;
            }

            wait = Max(wait, state.NextAllowed - now);
        }

        if (IsGroupLike(chat) && _groups.TryGetValue(chat, out var group))
        {
            var groupWait = WaitFor(group, _options.PerGroupPerMinute, _options.GroupWindow, now);
            if (groupWait == Timeout.InfiniteTimeSpan)
            {
                return groupWait;
            }

            wait = Max(wait, groupWait);
        }

        var globalWait = WaitFor(_global, _options.GlobalPerSecond, _options.GlobalWindow, now);
        return globalWait == Timeout.InfiniteTimeSpan ? globalWait : Max(wait, globalWait);
    }

    /// <summary>How long until one more send fits the window; infinite when only in-flight sends fill it.</summary>
    private static TimeSpan WaitFor(Window window, int limit, TimeSpan length, DateTimeOffset now)
    {
        while (window.Completed.Count > 0 && window.Completed.Peek() <= now - length)
        {
            window.Completed.Dequeue();
        }

        var excess = window.Completed.Count + window.InFlight - limit + 1;
        if (excess <= 0)
        {
            return TimeSpan.Zero;
        }

        if (excess > window.Completed.Count)
        {
            return Timeout.InfiniteTimeSpan;
        }

        return window.Completed.ElementAt(excess - 1) + length - now;
    }

    private void Reserve(string chat)
    {
        ChatOf(chat).InFlight = true;
        if (IsGroupLike(chat))
        {
            if (!_groups.TryGetValue(chat, out var group))
            {
                _groups[chat] = group = new Window();
            }

            group.InFlight++;
        }

        _global.InFlight++;
        if (++_acquisitions % 1024 == 0)
        {
            Prune(_time.GetUtcNow());
        }
    }

    private void Release(string chat)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var state = ChatOf(chat);
            state.InFlight = false;
            var next = now + _options.PerChatInterval;
            if (next > state.NextAllowed)
            {
                state.NextAllowed = next;
            }

            if (_groups.TryGetValue(chat, out var group))
            {
                group.InFlight--;
                group.Completed.Enqueue(now);
            }

            _global.InFlight--;
            _global.Completed.Enqueue(now);
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private ChatState ChatOf(string chat)
    {
        if (!_chats.TryGetValue(chat, out var state))
        {
            _chats[chat] = state = new ChatState();
        }

        return state;
    }

    // Chats that have been quiet for longer than every window need no memory.
    private void Prune(DateTimeOffset now)
    {
        var horizon = now - Max(_options.GroupWindow, _options.PerChatInterval);
        foreach (var (chat, state) in _chats.ToArray())
        {
            if (!state.InFlight && state.NextAllowed < horizon &&
                (!_groups.TryGetValue(chat, out var group) || (group.InFlight == 0 && group.Completed.All(t => t <= horizon))))
            {
                _chats.Remove(chat);
                _groups.Remove(chat);
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
