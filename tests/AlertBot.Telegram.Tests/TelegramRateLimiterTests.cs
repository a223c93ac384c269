using AlertBot.Telegram.Sending;
using Microsoft.Extensions.Options;
using AlertBot.Testing.Fakes;

namespace AlertBot.Telegram.Tests;

public sealed class TelegramRateLimiterTests
{
    private readonly WatchedTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    private TelegramRateLimiter CreateSut(TimeSpan perChat, int perGroup = 20, int global = 30) => new(
        Options.Create(new TelegramOptions { PerChatInterval = perChat, PerGroupPerMinute = perGroup, GlobalPerSecond = global }),
        _time);

    private static async Task Send(TelegramRateLimiter limiter, string chat)
    {
        using var lease = await limiter.AcquireAsync(chat, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Moves the clock in steps until the task completes; returns the time it took. The clock moves only while the
    /// waiter is parked on it (one of its timers is pending), so a slow machine cannot let a step slip in between the
    /// limiter reading the time and arming its timer: the result is the same on any machine, within one step.
    /// </summary>
    private async Task<TimeSpan> AdvanceUntil(Task task, TimeSpan step, TimeSpan max)
    {
        var start = _time.GetUtcNow();
        while (!task.IsCompleted && _time.GetUtcNow() - start <= max)
        {
            var changed = _time.Changed;
            if (_time.PendingTimers == 0)
            {
                await Task.WhenAny(task, changed).WaitAsync(TimeSpan.FromSeconds(30));
                continue;
            }

            _time.Advance(step);
        }

        await task.WaitAsync(TimeSpan.FromSeconds(5));
        return _time.GetUtcNow() - start;
    }

    [Fact]
    public async Task One_message_per_chat_per_interval()
    {
        var limiter = CreateSut(TimeSpan.FromSeconds(1));
        await Send(limiter, "42");

        var second = Send(limiter, "42");
        var other = Send(limiter, "43");

        await other;
        Assert.False(second.IsCompleted);
        var waited = await AdvanceUntil(second, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        Assert.InRange(waited, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.2));
    }

    [Fact]
    public async Task A_group_gets_at_most_its_count_per_minute()
    {
        var limiter = CreateSut(TimeSpan.Zero, perGroup: 3);
        for (var i = 0; i < 3; i++)
        {
            await Send(limiter, "-100");
        }

        var fourth = Send(limiter, "-100");
        await Send(limiter, "100");

        Assert.False(fourth.IsCompleted);
        var waited = await AdvanceUntil(fourth, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2));
        Assert.InRange(waited, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(65));
    }

    [Fact]
    public async Task All_chats_together_get_at_most_the_global_count_per_second()
    {
        var limiter = CreateSut(TimeSpan.Zero, global: 2);
        await Send(limiter, "1");
        await Send(limiter, "2");

        var third = Send(limiter, "3");

        Assert.False(third.IsCompleted);
        var waited = await AdvanceUntil(third, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        Assert.InRange(waited, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.2));
    }

    [Fact]
    public async Task A_send_in_flight_holds_its_chat_until_it_completes()
    {
        var limiter = CreateSut(TimeSpan.Zero);
        var lease = await limiter.AcquireAsync("7", CancellationToken.None);

        // AcquireAsync runs to its first wait before it returns: not completed now means parked until a release.
        var next = limiter.AcquireAsync("7", CancellationToken.None);
        Assert.False(next.IsCompleted);

        lease.Dispose();
        (await next.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task A_penalty_holds_the_chat_back_for_the_servers_wait()
    {
        var limiter = CreateSut(TimeSpan.Zero);
        limiter.Penalize("9", TimeSpan.FromSeconds(30));

        var waited = await AdvanceUntil(Send(limiter, "9"), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

        Assert.InRange(waited, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(31));
    }

    [Fact]
    public async Task Waiting_is_cancellable()
    {
        var limiter = CreateSut(TimeSpan.FromHours(1));
        await Send(limiter, "5");
        using var cts = new CancellationTokenSource();

        var waiting = limiter.AcquireAsync("5", cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
