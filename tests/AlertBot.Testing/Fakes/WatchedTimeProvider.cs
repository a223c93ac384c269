using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Testing.Fakes;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells how many of its timers are armed (created, not yet fired or disposed).
/// A test moves the clock only once the code under test is parked on it, so a busy machine cannot let the clock move
/// between the code reading the time and arming its timer (which would push the timer later, or past the advance).
/// </summary>
public sealed class WatchedTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _pending;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int PendingTimers => Volatile.Read(ref _pending);

    /// <summary>Completes when a timer is next armed, fired or disposed.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Waits (a positive signal, not a sleep) until at least one timer is armed, then moves the clock.</summary>
    public async Task AdvanceWhenParkedAsync(TimeSpan by, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var changed = Changed;
            if (PendingTimers > 0)
            {
                Advance(by);
                return;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("Nothing armed a timer on the fake clock.");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var watched = new WatchedTimer(this);
        Interlocked.Increment(ref _pending);
        watched.Inner = base.CreateTimer(
            s =>
            {
                if (period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero)
                {
                    watched.Ended();
                }

                callback(s);
            },
            state,
            dueTime,
            period);
        Signal();
        return watched;
    }

    private void Signal() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private sealed class WatchedTimer(WatchedTimeProvider owner) : ITimer
    {
        private int _ended;

        public ITimer? Inner { get; set; }

        public void Ended()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Interlocked.Decrement(ref owner._pending);
                owner.Signal();
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => Inner!.Change(dueTime, period);

        public void Dispose()
        {
            Ended();
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
