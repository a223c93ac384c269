using AlertBot.Core.Resilience;
using AlertBot.Testing.Fakes;

namespace AlertBot.Core.Tests.Resilience;

public sealed class RetryDelayTests
{
    [Fact]
    public void Without_jitter_the_delay_doubles_from_the_first_and_stops_at_the_cap()
    {
        var delay = new RetryDelay(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

        var waits = Enumerable.Range(0, 9).Select(attempt => delay.For(attempt).TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], waits);
        Assert.Equal(TimeSpan.FromMinutes(1), delay.For(int.MaxValue)); // no overflow however long the outage
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.999999)]
    public void Jitter_spreads_the_delay_within_its_factors_and_never_past_the_cap(double draw)
    {
        var delay = new RetryDelay(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(15), JitterLow: 0.8, JitterHigh: 1.2);

        for (var attempt = 0; attempt < 15; attempt++)
        {
            var ceiling = Math.Min(5 * Math.Pow(2, attempt), 900);
            var wait = delay.For(attempt, () => draw).TotalSeconds;
            Assert.InRange(wait, ceiling * 0.8 - 1e-6, Math.Min(ceiling * 1.2, 900) + 1e-6);
        }
    }

    [Fact]
    public async Task The_pipeline_retries_on_the_given_clock_with_the_schedule_and_a_success_starts_afresh()
    {
        var time = new WatchedTimeProvider(DateTimeOffset.UnixEpoch);
        var told = new List<TimeSpan>();
        var pipeline = new RetryDelay(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)).RetryForever(
            time,
            shouldRetry: ex => ex is IOException,
            onRetry: (_, wait) =>
            {
                lock (told)
                {
                    told.Add(wait);
                }

                return ValueTask.CompletedTask;
            });
        var calls = 0;

        var run = pipeline.ExecuteAsync(
            _ => Interlocked.Increment(ref calls) <= 3 ? throw new IOException("down") : ValueTask.FromResult(calls),
            CancellationToken.None).AsTask();

        // The fake clock stands still, so each retry waits until it is moved past that retry's delay.
        await time.AdvanceWhenParkedAsync(TimeSpan.FromSeconds(1));
        await time.AdvanceWhenParkedAsync(TimeSpan.FromSeconds(2));
        await time.AdvanceWhenParkedAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(4, await run);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)], told);

        // The next execution begins at the first delay again.
        calls = 0;
        var again = pipeline.ExecuteAsync(_ => Interlocked.Increment(ref calls) <= 1 ? throw new IOException("down") : ValueTask.FromResult(calls), CancellationToken.None).AsTask();
        await time.AdvanceWhenParkedAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, await again);
        Assert.Equal(TimeSpan.FromSeconds(1), told[^1]);
    }

    [Fact]
    public async Task A_failure_it_does_not_handle_is_thrown_at_once_and_stopping_ends_the_wait()
    {
        var time = new WatchedTimeProvider(DateTimeOffset.UnixEpoch);
        var pipeline = new RetryDelay(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)).RetryForever(
            time, shouldRetry: ex => ex is IOException, onRetry: (_, _) => ValueTask.CompletedTask);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            pipeline.ExecuteAsync(_ => throw new InvalidOperationException("a bug, not an outage"), CancellationToken.None).AsTask());

        using var stop = new CancellationTokenSource();
        var waiting = pipeline.ExecuteAsync(_ => throw new IOException("down"), stop.Token).AsTask();
        while (true)
        {
            var changed = time.Changed;
            if (time.PendingTimers > 0)
            {
                break;
            }

            await changed;
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task A_server_wait_overrides_the_computed_delay()
    {
        var time = new WatchedTimeProvider(DateTimeOffset.UnixEpoch);
        TimeSpan? told = null;
        var pipeline = new RetryDelay(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)).RetryForever(
            time,
            shouldRetry: _ => true,
            onRetry: (_, wait) =>
            {
                told = wait;
                return ValueTask.CompletedTask;
            },
            serverWait: (_, wait) => wait + TimeSpan.FromSeconds(30));
        var calls = 0;

        var run = pipeline.ExecuteAsync(_ => Interlocked.Increment(ref calls) == 1 ? throw new IOException("429") : ValueTask.FromResult(calls), CancellationToken.None).AsTask();
        await time.AdvanceWhenParkedAsync(TimeSpan.FromSeconds(31));

        Assert.Equal(2, await run);
        Assert.Equal(TimeSpan.FromSeconds(31), told);
    }
}
