using System.Threading.RateLimiting;

namespace AlertBot.Core.RateLimits;

/// <summary>
/// One limiter per key (per chat, per user), made on first use by a factory; a null from the factory means "no limit
/// for this key". Limiters that have gone idle (<see cref="RateLimiter.IdleDuration"/>: nothing held, nothing owed)
/// are forgotten when the count doubles past <paramref name="sweepThreshold"/>, so a crowd of one-off keys cannot grow
/// memory without bound.
/// </summary>
/// <remarks>
/// <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> forgets idle limiters on its own real-time
/// timer, ten seconds after they went idle by the wall clock; here forgetting follows the limiters' own clock, which a
/// test may fake, and happens as keys are added, so it is bounded whatever the machine's speed.
/// </remarks>
public sealed class KeyedRateLimiter<TKey>(Func<TKey, RateLimiter?> factory, IEqualityComparer<TKey>? comparer = null, int sweepThreshold = 10_000)
    : PartitionedRateLimiter<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, RateLimiter?> _limiters = new(comparer);
    private readonly Lock _gate = new();
    private readonly int _sweepThreshold = sweepThreshold;
    private int _nextSweepAt = sweepThreshold;
    private bool _disposed;

    /// <summary>How many keys have a limiter right now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _limiters.Count;
            }
        }
    }

    /// <summary>The key has no limiter, or one that owes nothing (a full bucket, an empty window): as good as new.</summary>
    public bool IsIdle(TKey key)
    {
        lock (_gate)
        {
            return !_limiters.TryGetValue(key, out var limiter) || limiter is null || limiter.IdleDuration is not null;
        }
    }

    public override RateLimiterStatistics? GetStatistics(TKey resource)
    {
        lock (_gate)
        {
            return Get(resource)?.GetStatistics();
        }
    }

    protected override RateLimitLease AttemptAcquireCore(TKey resource, int permitCount)
    {
        lock (_gate)
        {
            return Get(resource)?.AttemptAcquire(permitCount) ?? GrantedLease.Instance;
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(TKey resource, int permitCount, CancellationToken cancellationToken)
    {
        // Started under the lock: a waiter is queued (so its limiter is not idle) before a sweep can look at it.
        lock (_gate)
        {
            return Get(resource)?.AcquireAsync(permitCount, cancellationToken) ?? new ValueTask<RateLimitLease>(GrantedLease.Instance);
        }
    }

    protected override void Dispose(bool disposing)
    {
        RateLimiter?[] limiters;
        lock (_gate)
        {
            limiters = _disposed ? [] : [.. _limiters.Values];
            _disposed = true;
            _limiters.Clear();
        }

        foreach (var limiter in limiters)
        {
            limiter?.Dispose();
        }

        base.Dispose(disposing);
    }

    private RateLimiter? Get(TKey key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_limiters.TryGetValue(key, out var limiter))
        {
            return limiter;
        }

        if (_limiters.Count >= _nextSweepAt)
        {
            Sweep();
        }

        limiter = factory(key);
        _limiters[key] = limiter;
        return limiter;
    }

    private void Sweep()
    {
        foreach (var (key, limiter) in _limiters)
        {
            if (limiter is null || limiter.IdleDuration is not null)
            {
                _limiters.Remove(key);
                limiter?.Dispose();
            }
        }

        _nextSweepAt = Math.Max(_sweepThreshold, _limiters.Count * 2);
    }
}
