using System.Threading.RateLimiting;

namespace AlertBot.Core.RateLimits;

/// <summary>
/// At most <c>permitLimit</c> permits in any <c>window</c>, where a permit counts from the moment it is acquired until
/// <c>window</c> after it is released. Waiters are served oldest first; the clock is a <see cref="TimeProvider"/>, so a
/// fake clock drives it in tests.
/// </summary>
/// <remarks>
/// Counting a permit from acquisition to release plus the window keeps a platform's limit as the platform measures it,
/// with no margin to guess: the server sees each request somewhere between those two instants. With a window of zero
/// this is a concurrency limiter; with a limit of one it is "one at a time, then a pause". <paramref name="heldUntil"/>
/// lets the owner hold the limiter shut (a server's retry_after) without keeping a reference to it; it is read each time
/// a permit is considered, so a limiter that is recreated after an idle spell still honours it.
/// </remarks>
public sealed class WindowLimiter(int permitLimit, TimeSpan window, TimeProvider time, Func<DateTimeOffset>? heldUntil = null)
    : RateLimiter
{
    private readonly Lock _gate = new();
    private readonly Queue<DateTimeOffset> _released = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private int _held;
    private ITimer? _timer;
    private DateTimeOffset _timerDue = DateTimeOffset.MaxValue;
    private DateTimeOffset _quietFrom = time.GetUtcNow();
    private long _successful;
    private long _failed;
    private bool _disposed;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                Trim(now);
                var until = heldUntil?.Invoke() ?? default;
                var busy = _held > 0 || _released.Count > 0 || _waiters.Count > 0 || until > now;
                return busy ? null : now - (until > _quietFrom ? until : _quietFrom);
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Trim(time.GetUtcNow());
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = Math.Max(0, permitLimit - _held - _released.Count),
                CurrentQueuedCount = _waiters.Sum(w => w.Permits),
                TotalSuccessfulLeases = Interlocked.Read(ref _successful),
                TotalFailedLeases = Interlocked.Read(ref _failed),
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckCount(permitCount);
        lock (_gate)
        {
            var wait = _disposed ? Timeout.InfiniteTimeSpan : WaitFor(Math.Max(1, permitCount), time.GetUtcNow());
            if (wait == TimeSpan.Zero && (_waiters.Count == 0 || permitCount == 0))
            {
                return Grant(permitCount);
            }

            Interlocked.Increment(ref _failed);
            return new FailedLease(wait == Timeout.InfiniteTimeSpan ? null : wait);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckCount(permitCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_waiters.Count == 0 && WaitFor(Math.Max(1, permitCount), time.GetUtcNow()) == TimeSpan.Zero)
            {
                return new ValueTask<RateLimitLease>(Grant(permitCount));
            }

            var waiter = new Waiter(permitCount);
            var node = _waiters.AddLast(waiter);
            waiter.Registration = cancellationToken.Register(() => Cancel(node, cancellationToken));
            ArmTimer(time.GetUtcNow());
            return new ValueTask<RateLimitLease>(waiter.Completion.Task);
        }
    }

    protected override void Dispose(bool disposing)
    {
        List<Waiter> failed;
        lock (_gate)
        {
            failed = _disposed ? [] : [.. _waiters];
            _disposed = true;
            _timer?.Dispose();
            _waiters.Clear();
        }

        foreach (var waiter in failed)
        {
            waiter.Registration.Dispose();
            waiter.Completion.TrySetResult(new FailedLease(null));
        }

        base.Dispose(disposing);
    }

    private void CheckCount(int permitCount) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, permitLimit);

    /// <summary>How long until <paramref name="permits"/> more fit; infinite while only permits still held fill the window.</summary>
    private TimeSpan WaitFor(int permits, DateTimeOffset now)
    {
        Trim(now);
        var wait = TimeSpan.Zero;
        if (heldUntil?.Invoke() is { } until && until > now)
        {
            wait = until - now;
        }

        var excess = _held + _released.Count + permits - permitLimit;
        if (excess <= 0)
        {
            return wait;
        }

        if (excess > _released.Count)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var free = _released.ElementAt(excess - 1) + window - now;
        return free > wait ? free : wait;
    }

    private void Trim(DateTimeOffset now)
    {
        while (_released.Count > 0 && _released.Peek() + window <= now)
        {
            _released.Dequeue();
        }
    }

    private Lease Grant(int permits)
    {
        _held += permits;
        Interlocked.Increment(ref _successful);
        return new Lease(this, permits);
    }

    private void Release(int permits)
    {
        lock (_gate)
        {
            _held -= permits;
            var now = time.GetUtcNow();
            for (var i = 0; i < permits; i++)
            {
                _released.Enqueue(now);
            }

            // Quiet once this permit leaves the window.
            _quietFrom = now + window;
        }

        Pump();
    }

    /// <summary>Serves the waiters at the head of the queue whose permits fit now, then sets the clock for the next.</summary>
    private void Pump()
    {
        List<(Waiter Waiter, Lease Lease)>? granted = null;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = time.GetUtcNow();
            while (_waiters.First is { } first && WaitFor(Math.Max(1, first.Value.Permits), now) == TimeSpan.Zero)
            {
                _waiters.RemoveFirst();
                (granted ??= []).Add((first.Value, Grant(first.Value.Permits)));
            }

            ArmTimer(now);
        }

        foreach (var (waiter, lease) in granted ?? [])
        {
            waiter.Registration.Dispose();
            if (!waiter.Completion.TrySetResult(lease))
            {
                lease.Dispose();
            }
        }
    }

    private void ArmTimer(DateTimeOffset now)
    {
        var wait = _waiters.First is { } first ? WaitFor(Math.Max(1, first.Value.Permits), now) : Timeout.InfiniteTimeSpan;
        var due = wait == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : now + wait;
        if (due == _timerDue)
        {
            return;
        }

        _timer?.Dispose();
        _timer = null;
        _timerDue = due;
        if (due != DateTimeOffset.MaxValue)
        {
            _timer = time.CreateTimer(static s => ((WindowLimiter)s!).OnTimer(), this, wait, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _timerDue = DateTimeOffset.MaxValue;
        }

        Pump();
    }

    private void Cancel(LinkedListNode<Waiter> node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (node.List is null)
            {
                return;
            }

            _waiters.Remove(node);
        }

        node.Value.Completion.TrySetCanceled(cancellationToken);

        // The head may have changed: the next waiter's time may differ.
        Pump();
    }

    private sealed class Waiter(int permits)
    {
        public int Permits { get; } = permits;

        public TaskCompletionSource<RateLimitLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed class Lease(WindowLimiter owner, int permits) : RateLimitLease
    {
        private int _disposed;

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0 && permits > 0)
            {
                owner.Release(permits);
            }

            base.Dispose(disposing);
        }
    }
}
