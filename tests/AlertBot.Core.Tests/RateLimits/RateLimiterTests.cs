using System.Threading.RateLimiting;
using AlertBot.Core.RateLimits;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Core.Tests.RateLimits;

/// <summary>The limiters AlertBot builds its platform and command limits from, on a fake clock.</summary>
public sealed class RateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Timeout.InfiniteTimeSpan;

    [Fact]
    public void A_window_permit_counts_until_a_window_after_its_release()
    {
        using var sut = new WindowLimiter(2, TimeSpan.FromSeconds(1), _time);
        var first = sut.AttemptAcquire();
        using var second = sut.AttemptAcquire();
        Assert.True(first.IsAcquired && second.IsAcquired);

        // Both held: no time is known after which a third fits.
        using (var refused = sut.AttemptAcquire())
        {
            Assert.False(refused.IsAcquired);
            Assert.Equal(Timeout.InfiniteTimeSpan, RetryAfter(refused));
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        first.Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(400));
        using (var refused = sut.AttemptAcquire())
        {
            Assert.False(refused.IsAcquired);
            Assert.Equal(TimeSpan.FromMilliseconds(600), RetryAfter(refused));
        }

        _time.Advance(TimeSpan.FromMilliseconds(600));
        using var third = sut.AttemptAcquire();
        Assert.True(third.IsAcquired);
    }

    [Fact]
    public async Task Window_waiters_are_served_oldest_first_when_the_clock_frees_a_permit()
    {
        using var sut = new WindowLimiter(1, TimeSpan.FromSeconds(1), _time);
        sut.AttemptAcquire().Dispose();

        var first = sut.AcquireAsync().AsTask();
        var second = sut.AcquireAsync().AsTask();
        Assert.False(first.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));
        var lease = await first.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(lease.IsAcquired);
        Assert.False(second.IsCompleted);

        lease.Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await second.WaitAsync(TimeSpan.FromSeconds(5))).IsAcquired);
    }

    [Fact]
    public void A_window_held_shut_by_its_owner_refuses_until_then()
    {
        var until = _time.GetUtcNow() + TimeSpan.FromSeconds(30);
        using var sut = new WindowLimiter(5, TimeSpan.Zero, _time, () => until);

        using var refused = sut.AttemptAcquire();
        Assert.False(refused.IsAcquired);
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter(refused));
        Assert.Null(sut.IdleDuration);

        _time.Advance(TimeSpan.FromSeconds(30));
        using var granted = sut.AttemptAcquire();
        Assert.True(granted.IsAcquired);
    }

    [Fact]
    public void A_token_bucket_refills_evenly_and_asking_for_zero_takes_nothing()
    {
        using var sut = new TokenBucketLimiter(2, 0.5, _time);
        Assert.True(sut.AttemptAcquire(0).IsAcquired);
        Assert.True(sut.AttemptAcquire().IsAcquired);
        Assert.True(sut.AttemptAcquire().IsAcquired);

        var refused = sut.AttemptAcquire(0);
        Assert.False(refused.IsAcquired);
        Assert.Equal(TimeSpan.FromSeconds(2), RetryAfter(refused));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), RetryAfter(sut.AttemptAcquire()));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(sut.AttemptAcquire().IsAcquired);
        Assert.Null(sut.IdleDuration);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(1), sut.IdleDuration);
    }

    [Fact]
    public void Keyed_limiters_are_separate_per_key_and_idle_ones_are_forgotten_as_keys_pile_up()
    {
        using var sut = new KeyedRateLimiter<string>(key => key == "free" ? null : new TokenBucketLimiter(1, 1, _time), StringComparer.Ordinal, sweepThreshold: 100);
        Assert.True(sut.AttemptAcquire("a").IsAcquired);
        Assert.False(sut.AttemptAcquire("a").IsAcquired);
        Assert.True(sut.AttemptAcquire("b").IsAcquired);
        Assert.True(sut.AttemptAcquire("free", 1000).IsAcquired);

        for (var i = 0; i < 1000; i++)
        {
            sut.AttemptAcquire($"k{i}").Dispose();
            if (i % 50 == 49)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        Assert.InRange(sut.Count, 1, 200);
    }
}
