using System.Threading.RateLimiting;

namespace AlertBot.Core.RateLimits;

/// <summary>
/// A token bucket that refills evenly (fractions of a token included) by a <see cref="TimeProvider"/>'s clock, so a
/// fake clock drives it in tests. A refusal costs nothing and carries <see cref="MetadataName.RetryAfter"/>: the time
/// until the tokens asked for are there. Asking for zero permits tells whether one would be granted, taking nothing.
/// </summary>
/// <remarks>
/// The library's <see cref="System.Threading.RateLimiting.TokenBucketRateLimiter"/> refills in whole periods from its own
/// timer; a command allowance of 20 a minute must say "try again in 3 s" and mean it, on whatever clock the host runs.
/// </remarks>
public sealed class TokenBucketLimiter : ReplenishingRateLimiter
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _capacity;
    private readonly double _perSecond;
    private double _tokens;
    private long _last;
    private long _successful;
    private long _failed;

    /// <param name="capacity">Tokens when full (the burst).</param>
    /// <param name="perSecond">Tokens added per second, evenly.</param>
    public TokenBucketLimiter(int capacity, double perSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        _capacity = capacity;
        _perSecond = perSecond;
        _time = time;
        _tokens = capacity;
        _last = time.GetTimestamp();
    }

    public override bool IsAutoReplenishing => true;

    /// <summary>The time one token takes to come back.</summary>
    public override TimeSpan ReplenishmentPeriod => TimeSpan.FromSeconds(1 / _perSecond);

    /// <summary>Full buckets are indistinguishable from new ones: idle is "full", for as long as it has been full.</summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _tokens >= _capacity ? _time.GetElapsedTime(_last) : null;
            }
        }
    }

    public override bool TryReplenish()
    {
        lock (_gate)
        {
            Refill();
            return true;
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Refill();
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = (long)_tokens,
                CurrentQueuedCount = 0,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, (int)_capacity);
        lock (_gate)
        {
            Refill();
            var needed = Math.Max(1, permitCount);
            if (_tokens >= needed)
            {
                if (_tokens >= _capacity)
                {
                    // It refills from now on, not from when it filled up.
                    _last = _time.GetTimestamp();
                }

                _tokens -= permitCount;
                _successful++;
                return GrantedLease.Instance;
            }

            _failed++;
            return new FailedLease(TimeSpan.FromSeconds((needed - _tokens) / _perSecond));
        }
    }

    /// <summary>Waits on the clock until the tokens are there (callers that need fairness queue on their side).</summary>
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        while (true)
        {
            var lease = AttemptAcquireCore(permitCount);
            if (lease.IsAcquired || !lease.TryGetMetadata(MetadataName.RetryAfter, out var wait))
            {
                return lease;
            }

            await Task.Delay(wait, _time, cancellationToken);
        }
    }

    /// <summary>Adds what the time since the last look brought. A bucket that stays full keeps its "full since" time.</summary>
    private void Refill()
    {
        if (_tokens >= _capacity)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var added = _time.GetElapsedTime(_last, now).TotalSeconds * _perSecond;
        _last = now;
        if (_tokens + added >= _capacity)
        {
            // Backdate "last" to the moment it became full, so IdleDuration counts from then.
            _last = now - (long)((_tokens + added - _capacity) / _perSecond * _time.TimestampFrequency);
            _tokens = _capacity;
        }
        else
        {
            _tokens += added;
        }
    }
}
