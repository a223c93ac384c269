using AlertBot.Core.Diagnostics;
using AlertBot.Core.Persistence;
using AlertBot.Storage.Leases;
using AlertBot.Telegram.Receiving;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;
using AlertBot.Testing.Telegram;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.Telegram.Tests;

/// <summary>
/// Two instances of the bot sharing one store and one lease provider: only the lease holder polls getUpdates (as on
/// Telegram, a newer long poll ends the one in flight with 409, which the receiver logs); the other stands by, reports ready as a standby, and takes over
/// when the holder stops, reading on from the stored offset.
/// </summary>
public sealed class TelegramLeaseTests
{
    private static readonly FakeTelegramLimits Fast = new(TimeSpan.FromMilliseconds(5), 200, TimeSpan.FromSeconds(1), 500, TimeSpan.FromSeconds(1));

    private static readonly Dictionary<string, string?> FastRetry = new() { ["AlertBot:Leases:RetryInterval"] = "00:00:00.100" };

    [Fact]
    public async Task Only_the_lease_holder_polls_and_the_standby_takes_over_when_it_stops()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: Fast);
        using var store = TestStores.InMemory();
        var leases = new InProcessLeaseProvider();
        await using var first = TelegramTestHost.Create(fake, store, FastRetry, leases: leases);
        await using var second = TelegramTestHost.Create(fake, store, FastRetry, leases: leases);

        await first.StartReceiverAsync();
        await WaitForRoleAsync(first, LeaseRole.Holder);
        await second.StartReceiverAsync();
        await WaitForRoleAsync(second, LeaseRole.Standby);

        var holderReady = await ProbeAsync(first);
        var standbyReady = await ProbeAsync(second);
        Assert.True(holderReady.Ready, holderReady.Detail);
        Assert.StartsWith("receiving", holderReady.Detail, StringComparison.Ordinal);
        Assert.True(standbyReady.Ready, standbyReady.Detail);
        Assert.StartsWith("standby", standbyReady.Detail, StringComparison.Ordinal);

        fake.SendText(7, 7, "/help");
        await fake.WaitForMessageAsync(m => m.ChatId == 7);
        await first.SettleAsync();

        await first.StopReceiverAsync();
        var firstStopped = fake.Elapsed;
        await WaitForRoleAsync(second, LeaseRole.Holder);
        fake.SendText(8, 8, "/help");
        await fake.WaitForMessageAsync(m => m.ChatId == 8);
        await second.SettleAsync();

        // Each command answered once, by one poller at a time: neither receiver was told of a rival poller (3302), and
        // the only long poll another could have ended is the stopped holder's own, if the fake still held it open.
        Assert.Single(fake.SentTo(7));
        Assert.Single(fake.SentTo(8));
        Assert.DoesNotContain(first.Logs.Entries.Concat(second.Logs.Entries), e => e.EventId.Id == 3302);
        Assert.All(fake.TerminatedPolls, p => Assert.True(p.StartedAt < firstStopped, $"a long poll started at {p.StartedAt} was ended by a rival"));
        var takenOver = await ProbeAsync(second);
        Assert.True(takenOver.Ready, takenOver.Detail);
        Assert.StartsWith("receiving", takenOver.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_pollers_without_a_shared_lease_end_each_others_long_polls_and_the_one_ended_says_so()
    {
        // What the lease tests above rely on to see a rival: with no lease between them (two deployments given one
        // token), each newer long poll ends the other's with 409, as Telegram's server does, and that receiver logs it.
        await using var fake = await FakeTelegramServer.StartAsync(limits: Fast);
        using var store = TestStores.InMemory();
        await using var first = TelegramTestHost.Create(fake, store, FastRetry, leases: new InProcessLeaseProvider());
        await using var second = TelegramTestHost.Create(fake, store, FastRetry, leases: new InProcessLeaseProvider());

        await first.StartReceiverAsync();
        await WaitForRoleAsync(first, LeaseRole.Holder);
        await second.StartReceiverAsync();
        await WaitForRoleAsync(second, LeaseRole.Holder);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        LogEntry? logged;
        while ((logged = first.Logs.Entries.Concat(second.Logs.Entries).FirstOrDefault(e => e.EventId.Id == 3302)) is null)
        {
            await Task.Delay(20, timeout.Token);
        }

        Assert.Contains("terminated by other getUpdates request", logged.Message, StringComparison.Ordinal);
        Assert.NotEmpty(fake.TerminatedPolls);
        Assert.Contains(fake.Calls, c => c.Method == "getUpdates" && c.Status == 409);
    }

    [Fact]
    public async Task A_receiver_that_cannot_reach_the_lease_store_is_not_ready()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: Fast);
        await using var host = TelegramTestHost.Create(fake, settings: FastRetry, leases: new UnreachableLeases());
        await host.StartReceiverAsync();
        await WaitForRoleAsync(host, LeaseRole.Unavailable);

        var readiness = await ProbeAsync(host);
        Assert.False(readiness.Ready);
        Assert.Contains("database", readiness.Detail, StringComparison.Ordinal);
        Assert.Equal(0, fake.CallCount("getUpdates"));
    }

    private static Task<Readiness> ProbeAsync(TelegramTestHost host) =>
        host.Services.GetServices<IReadinessProbe>().Single(p => p.Name == "telegram").CheckAsync(CancellationToken.None);

    private static async Task WaitForRoleAsync(TelegramTestHost host, LeaseRole role)
    {
        var status = host.Services.GetRequiredService<TelegramReceiverStatus>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (status.Lease.Role != role)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>A lease store whose database is down.</summary>
    private sealed class UnreachableLeases : ILeaseProvider
    {
        public Task<ILease?> TryAcquireAsync(string name, CancellationToken cancellationToken) =>
            Task.FromException<ILease?>(new TimeoutException("the database did not answer"));
    }
}
