using System.Threading.Channels;
using AlertBot.Core.Diagnostics;
using AlertBot.Worker.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Worker.Tests;

/// <summary>
/// The in-process poll schedule keeps the Quartz triggers' promises: once per interval on a fixed rhythm, a late or
/// missed poll run at once and counted, never more polls at once than allowed, never two of one feed at once.
/// The clock is fake; each step waits until the dispatcher sleeps before moving it.
/// </summary>
public sealed class PollQueueTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Channel<(long Feed, DateTimeOffset At, int Running)> _polls = Channel.CreateUnbounded<(long, DateTimeOffset, int)>();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Dictionary<long, TaskCompletionSource> _holds = [];
    private readonly PollActivity _activity;
    private int _running;
    private int _mostAtOnce;
    private PollQueue _sut = null!;

    public PollQueueTests() => _activity = new PollActivity(_clock);

    public Task InitializeAsync() => Start(maxConcurrentPolls: 50);

    private async Task Start(int maxConcurrentPolls)
    {
        var metrics = new AlertBotMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        _sut = new PollQueue(PollAsync, maxConcurrentPolls, new PollTimekeeper(metrics, _activity, _clock), _clock, NullLogger<PollQueue>.Instance);
        await _sut.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        lock (_holds)
        {
            foreach (var hold in _holds.Values)
            {
                hold.TrySetResult();
            }
        }

        await _sut.StopAsync(CancellationToken.None);
    }

    public void Dispose()
    {
        _sut.Dispose();
        _services.Dispose();
    }

    private async Task PollAsync(long feedId, CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref _running);
        InterlockedMax(ref _mostAtOnce, running);
        Task hold;
        lock (_holds)
        {
            hold = _holds.TryGetValue(feedId, out var h) ? h.Task : Task.CompletedTask;
        }

        await _polls.Writer.WriteAsync((feedId, _clock.GetUtcNow(), running), cancellationToken);
        try
        {
            await hold;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private TaskCompletionSource Hold(long feedId)
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_holds)
        {
            _holds[feedId] = hold;
        }

        return hold;
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        await _sut.AsleepAsync().WaitAsync(Patience);
        _clock.Advance(by);
    }

    private async Task<(long Feed, DateTimeOffset At, int Running)> NextPollAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await _polls.Reader.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task A_feed_polls_at_its_first_time_and_then_once_per_interval_on_time()
    {
        var start = _clock.GetUtcNow();
        _sut.Schedule(1, Interval, start + TimeSpan.FromSeconds(10));

        await AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((1, start + TimeSpan.FromSeconds(10)), Pick(await NextPollAsync()));
        await AdvanceAsync(Interval - TimeSpan.FromSeconds(1));
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal((1, start + TimeSpan.FromSeconds(10) + Interval), Pick(await NextPollAsync()));
        await _sut.AsleepAsync().WaitAsync(Patience);
        Assert.Equal(start + TimeSpan.FromSeconds(10) + 2 * Interval, _sut.NextPollAt(1));

        var summary = _activity.TakeSummary();
        Assert.Equal(0, summary.Late);
        Assert.Equal(0, summary.Missed);
    }

    [Fact]
    public async Task A_poll_later_than_a_tenth_of_its_interval_is_counted_late_and_its_rhythm_restarts_from_then()
    {
        var start = _clock.GetUtcNow();
        _sut.Schedule(2, Interval, start);
        _sut.Schedule(3, Interval, start + TimeSpan.FromSeconds(15));

        // Within the tenth (30 s) the rhythm is kept; feed 2's second poll, 41 s late, is counted and restarts from now.
        await AdvanceAsync(TimeSpan.FromSeconds(20));
        await NextPollAsync();
        await NextPollAsync();
        await AdvanceAsync(Interval + TimeSpan.FromSeconds(21));
        await NextPollAsync();
        await NextPollAsync();
        await _sut.AsleepAsync().WaitAsync(Patience);

        var summary = _activity.TakeSummary();
        Assert.Equal(1, summary.Late); // feed 3 was 26 s late at worst
        Assert.Equal(0, summary.Missed);
        Assert.Equal("feed-2", summary.WorstLateFeed);
        Assert.Equal(TimeSpan.FromSeconds(41), summary.WorstLateness);
        Assert.Equal(_clock.GetUtcNow() + Interval, _sut.NextPollAt(2));
        Assert.Equal(start + TimeSpan.FromSeconds(15) + 2 * Interval, _sut.NextPollAt(3));
    }

    [Fact]
    public async Task A_missed_poll_runs_once_at_once_and_is_counted_instead_of_waiting_for_the_next_interval()
    {
        var start = _clock.GetUtcNow();
        _sut.Schedule(7, Interval, start);
        await AdvanceAsync(TimeSpan.Zero);
        Assert.Equal(start, (await NextPollAsync()).At);

        // The machine stalled for 12 minutes: the polls due at 12:05 and 12:10 did not happen. One poll now, not two.
        await AdvanceAsync(TimeSpan.FromMinutes(12));
        Assert.Equal((7, start + TimeSpan.FromMinutes(12)), Pick(await NextPollAsync()));
        await _sut.AsleepAsync().WaitAsync(Patience);
        Assert.Equal(start + TimeSpan.FromMinutes(17), _sut.NextPollAt(7));

        var summary = _activity.TakeSummary();
        Assert.Equal(1, summary.Missed);
        Assert.Equal(TimeSpan.FromMinutes(7), summary.WorstLateness);
        Assert.True(summary.Behind);

        await AdvanceAsync(Interval);
        Assert.Equal((7, start + TimeSpan.FromMinutes(17)), Pick(await NextPollAsync()));
    }

    [Fact]
    public async Task No_more_polls_run_at_once_than_allowed_and_a_waiting_one_starts_when_a_slot_frees()
    {
        await _sut.StopAsync(CancellationToken.None);
        _sut.Dispose();
        await Start(maxConcurrentPolls: 2);
        var holds = Enumerable.Range(1, 5).Select(id => Hold(id)).ToList();
        for (var id = 1; id <= 5; id++)
        {
            _sut.Schedule(id, Interval, _clock.GetUtcNow());
        }

        var first = await NextPollAsync();
        var second = await NextPollAsync();
        holds[(int)first.Feed - 1].SetResult();
        var third = await NextPollAsync();
        Assert.InRange(third.Running, 1, 2);
        foreach (var hold in holds)
        {
            hold.TrySetResult();
        }

        var rest = new[] { await NextPollAsync(), await NextPollAsync() };
        Assert.Equal([1L, 2, 3, 4, 5], new[] { first, second, third }.Concat(rest).Select(p => p.Feed).Order());
        Assert.Equal(2, Volatile.Read(ref _mostAtOnce));
    }

    [Fact]
    public async Task A_poll_due_while_the_last_one_of_its_feed_runs_starts_when_that_ends()
    {
        var hold = Hold(4);
        _sut.Schedule(4, Interval, _clock.GetUtcNow());
        Assert.Equal(4, (await NextPollAsync()).Feed);
        await AdvanceAsync(Interval);
        Hold(4).SetResult(); // the next poll of feed 4 does not block

        // Feed 5 is polled when due, proving the dispatcher went past feed 4's due poll without starting it.
        _sut.Schedule(5, Interval, _clock.GetUtcNow());
        Assert.Equal(5, (await NextPollAsync()).Feed);
        hold.SetResult();
        var again = await NextPollAsync();
        Assert.Equal(4, again.Feed);
        Assert.Equal(1, again.Running);
    }

    [Fact]
    public async Task An_unscheduled_feed_is_not_polled_and_a_rescheduled_one_moves_to_its_new_time()
    {
        var start = _clock.GetUtcNow();
        _sut.Schedule(8, Interval, start + TimeSpan.FromSeconds(5));
        _sut.Schedule(9, Interval, start + TimeSpan.FromSeconds(5));
        _sut.Schedule(10, TimeSpan.FromMinutes(30), start + TimeSpan.FromSeconds(20));
        Assert.True(_sut.Unschedule(8));
        _sut.Schedule(9, TimeSpan.FromMinutes(2), start + TimeSpan.FromSeconds(10));

        await AdvanceAsync(TimeSpan.FromSeconds(30));
        _sut.Schedule(11, Interval, start + TimeSpan.FromMinutes(1));
        await AdvanceAsync(TimeSpan.FromSeconds(30));
        var seen = new[] { (await NextPollAsync()).Feed, (await NextPollAsync()).Feed, (await NextPollAsync()).Feed };

        Assert.Equal([9L, 10, 11], seen.Order()); // 8 never, each of the others once
        Assert.Null(_sut.IntervalOf(8));
        Assert.Equal(TimeSpan.FromMinutes(2), _sut.IntervalOf(9));
        Assert.Equal([9L, 10, 11], _sut.FeedIds().Order());
        Assert.False(_sut.Unschedule(8));
    }

    private static (long, DateTimeOffset) Pick((long Feed, DateTimeOffset At, int Running) poll) => (poll.Feed, poll.At);
}
