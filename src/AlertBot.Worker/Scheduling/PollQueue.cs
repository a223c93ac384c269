using AlertBot.Core.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Worker.Scheduling;

/// <summary>
/// The feed polls of a single instance (SQLite), kept in process: one small entry per feed in a queue ordered by due
/// time, one dispatcher that sleeps until the earliest is due, and at most <see cref="MaxConcurrentPolls"/> polls at
/// once. It replaces a Quartz job and trigger per feed (about 6 MB per 1,000 feeds in Quartz's in-memory store, and a
/// trip through its firing pipeline per poll); Quartz keeps the few periodic jobs and, on PostgreSQL, the clustered
/// schedule, where the per-feed state lives in the database.
/// </summary>
/// <remarks>
/// The same guarantees as the Quartz triggers it replaces: each feed polls once per interval on a fixed rhythm; a poll
/// that starts more than a tenth of its interval late is counted late, one more than
/// <see cref="SchedulerRegistration.MisfireThreshold"/> late is counted missed, and either way it runs at once and
/// its rhythm restarts from then (nothing is skipped); two polls of one feed never overlap (a poll that comes due
/// while the last still runs starts when it ends, counted from its own due time).
/// </remarks>
public sealed partial class PollQueue : BackgroundService
{
    private readonly Func<long, CancellationToken, Task> _poll;
    private readonly PollTimekeeper _timekeeper;
    private readonly TimeProvider _time;
    private readonly ILogger<PollQueue> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ITimer _timer;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, Entry> _entries = [];

    // Lazy deletion: a rescheduled or removed entry leaves its old element behind, recognised by its version.
    private readonly PriorityQueue<(Entry Entry, int Version), long> _queue = new();
    private TaskCompletionSource _wake = NewWake();
    private long _sleepingUntil = long.MaxValue;
    private TaskCompletionSource _asleep = NewWake();

    public PollQueue(
        PollService polls,
        IOptions<PollingOptions> polling,
        PollTimekeeper timekeeper,
        TimeProvider time,
        ILogger<PollQueue> logger)
        : this(polls.PollAsync, polling.Value.MaxConcurrentPolls, timekeeper, time, logger)
    {
    }

    /// <summary>With <paramref name="poll"/> standing for <see cref="PollService.PollAsync"/>.</summary>
    internal PollQueue(
        Func<long, CancellationToken, Task> poll,
        int maxConcurrentPolls,
        PollTimekeeper timekeeper,
        TimeProvider time,
        ILogger<PollQueue> logger)
    {
        _poll = poll;
        MaxConcurrentPolls = Math.Max(1, maxConcurrentPolls);
        _slots = new SemaphoreSlim(MaxConcurrentPolls, MaxConcurrentPolls);
        _timekeeper = timekeeper;
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(_ => Wake(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How many polls may run at once (<c>AlertBot:Polling:MaxConcurrentPolls</c>).</summary>
    public int MaxConcurrentPolls { get; }

    /// <summary>How many feeds are scheduled.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Adds the feed, or moves it to a new interval and first poll; either way its next poll is at <paramref name="firstPollAt"/>.</summary>
    public void Schedule(long feedId, TimeSpan interval, DateTimeOffset firstPollAt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (!_entries.TryGetValue(feedId, out var entry))
            {
                entry = new Entry(feedId);
                _entries.Add(feedId, entry);
            }

            entry.Interval = interval;
            entry.Pending = false;
            wake = Enqueue(entry, firstPollAt.UtcTicks);
        }

        wake?.TrySetResult();
    }

    /// <summary>Removes the feed: no further polls (one running now finishes). False when it was not scheduled.</summary>
    public bool Unschedule(long feedId)
    {
        lock (_gate)
        {
            if (!_entries.Remove(feedId, out var entry))
            {
                return false;
            }

            entry.Version++;
            return true;
        }
    }

    /// <summary>The feed's interval, or null when it is not scheduled.</summary>
    public TimeSpan? IntervalOf(long feedId)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(feedId, out var entry) ? entry.Interval : null;
        }
    }

    /// <summary>When the feed polls next, or null when it is not scheduled.</summary>
    public DateTimeOffset? NextPollAt(long feedId)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(feedId, out var entry) ? new DateTimeOffset(entry.Due, TimeSpan.Zero) : null;
        }
    }

    /// <summary>The scheduled feeds, a snapshot.</summary>
    public IReadOnlyList<long> FeedIds()
    {
        lock (_gate)
        {
            return [.. _entries.Keys];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var (entry, scheduled, wake) = Next();
                if (entry is null)
                {
                    await SleepAsync(wake, stoppingToken);
                    continue;
                }

                // The slot is taken before the lateness is judged: a poll waiting for a free slot is late too.
                await _slots.WaitAsync(stoppingToken);
                Start(entry, scheduled, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Shutdown waits for the polls under way (they see the stopping token): every slot back means none runs.
            for (var i = 0; i < MaxConcurrentPolls; i++)
            {
                await _slots.WaitAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Completes when the dispatcher has started every poll that was due and sleeps, waiting for the next due time or
    /// a change (for tests that move a fake clock: advancing it before then would race the dispatcher).
    /// </summary>
    internal Task AsleepAsync()
    {
        lock (_gate)
        {
            return _asleep.Task;
        }
    }

    /// <summary>The next due entry (taken off the queue), or else the timer set and the signal that ends the sleep.</summary>
    private (Entry? Entry, long Scheduled, Task Wake) Next()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow().UtcTicks;
            while (_queue.TryPeek(out var top, out var due))
            {
                if (top.Version != top.Entry.Version)
                {
                    _queue.Dequeue();
                    continue;
                }

                if (due > now)
                {
                    return (null, 0, Sleep(due, TimeSpan.FromTicks(due - now)));
                }

                _queue.Dequeue();
                if (top.Entry.Running)
                {
                    // Its last poll still runs: this one starts when that ends (RunAsync), late by what it waited.
                    top.Entry.Pending = true;
                    top.Entry.PendingDue = due;
                    continue;
                }

                top.Entry.Running = true;
                return (top.Entry, due, Task.CompletedTask);
            }

            return (null, 0, Sleep(long.MaxValue, Timeout.InfiniteTimeSpan));
        }
    }

    /// <summary>Under the lock: every due poll is started; the timer is set for the next.</summary>
    private Task Sleep(long until, TimeSpan wait)
    {
        _sleepingUntil = until;
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
        _asleep.TrySetResult();
        return _wake.Task;
    }

    /// <summary>Waits for the timer (the earliest due time) or a change; cancelled when the host stops.</summary>
    private async Task SleepAsync(Task wake, CancellationToken stoppingToken)
    {
        await wake.WaitAsync(stoppingToken);
        lock (_gate)
        {
            _sleepingUntil = long.MinValue; // awake: nobody needs to wake the dispatcher until it sleeps again
            if (_wake.Task.IsCompleted)
            {
                _wake = NewWake();
            }

            if (_asleep.Task.IsCompleted)
            {
                _asleep = NewWake();
            }
        }
    }

    /// <summary>The timer's callback (and a change's): the dispatcher is to look at the queue again.</summary>
    private void Wake()
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            wake = _wake;
            if (_asleep.Task.IsCompleted)
            {
                _asleep = NewWake();
            }
        }

        wake.TrySetResult();
    }

    private void Start(Entry entry, long scheduled, CancellationToken stoppingToken)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var lateness = TimeSpan.FromTicks(Math.Max(0, now - scheduled));
        TimeSpan interval;
        lock (_gate)
        {
            interval = entry.Interval;
        }

        var late = PollTimekeeper.IsLate(lateness, interval);
        if (lateness > SchedulerRegistration.MisfireThreshold)
        {
            _timekeeper.Missed(PollFeedJob.KeyFor(entry.FeedId).Name, lateness);
        }
        else if (late)
        {
            _timekeeper.Late(PollFeedJob.KeyFor(entry.FeedId).Name, lateness);
        }

        // On time, the rhythm holds (no drift); late, it restarts from now (one long gap, not a long and a short one).
        var next = late ? now + interval.Ticks : scheduled + interval.Ticks;
        TaskCompletionSource? wake;
        lock (_gate)
        {
            wake = _entries.GetValueOrDefault(entry.FeedId) == entry ? Enqueue(entry, next) : null;
        }

        wake?.TrySetResult();
        _ = Task.Run(() => RunAsync(entry, stoppingToken), CancellationToken.None);
    }

    private async Task RunAsync(Entry entry, CancellationToken stoppingToken)
    {
        try
        {
            await _poll(entry.FeedId, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogPollFailed(entry.FeedId, ex);
        }
        finally
        {
            TaskCompletionSource? wake = null;
            lock (_gate)
            {
                entry.Running = false;
                if (entry.Pending)
                {
                    entry.Pending = false;
                    if (_entries.GetValueOrDefault(entry.FeedId) == entry)
                    {
                        wake = Enqueue(entry, entry.PendingDue);
                    }
                }
            }

            _slots.Release();
            wake?.TrySetResult();
        }
    }

    /// <summary>Under the lock. Returns the signal to set (outside the lock) when the dispatcher sleeps past this entry.</summary>
    private TaskCompletionSource? Enqueue(Entry entry, long due)
    {
        entry.Version++;
        entry.Due = due;
        _queue.Enqueue((entry, entry.Version), due);
        if (due >= _sleepingUntil)
        {
            return null;
        }

        if (_asleep.Task.IsCompleted)
        {
            _asleep = NewWake(); // it is about to wake: not asleep until it has looked at this entry
        }

        return _wake;
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <remarks>
    /// <see cref="_slots"/> is left to the collector: a host whose start failed (a busy health port) disposes this
    /// service while the dispatcher, cancelled by <see cref="BackgroundService.Dispose"/>, still waits in its
    /// <c>finally</c> for the slots of the polls under way; disposing the semaphore under it made that a crash logged
    /// beside the operator's one-line error. A SemaphoreSlim whose wait handle is never asked for holds nothing native.
    /// </remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2213:Disposable fields should be disposed", Justification = "See remarks: the dispatcher may still wait on it.")]
    public override void Dispose()
    {
        base.Dispose();
        _timer.Dispose();
    }

    private sealed class Entry(long feedId)
    {
        public long FeedId { get; } = feedId;

        public TimeSpan Interval { get; set; }

        /// <summary>UTC ticks of the next poll.</summary>
        public long Due { get; set; }

        public int Version { get; set; }

        public bool Running { get; set; }

        /// <summary>Came due while its last poll ran; <see cref="PendingDue"/> is when.</summary>
        public bool Pending { get; set; }

        public long PendingDue { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The poll of feed {FeedId} failed")]
    private partial void LogPollFailed(long feedId, Exception exception);
}
