using AlertBot.Core.Diagnostics;
using AlertBot.Core.Persistence;
using AlertBot.Discord.Gateway;
using AlertBot.Storage.Leases;
using AlertBot.Testing.Discord;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.Discord.Tests.Gateway;

/// <summary>
/// Two instances of the adapter sharing one lease provider: only the holder opens a gateway session, the other
/// stands by (and says so on /readyz), and takes the session over when the holder stops.
/// </summary>
public sealed class DiscordGatewayLeaseTests
{
    private const int FastBeatMs = 150;

    private static readonly Dictionary<string, string?> FastRetry = new() { ["AlertBot:Leases:RetryInterval"] = "00:00:00.100" };

    [Fact]
    public async Task Only_the_lease_holder_connects_and_the_standby_takes_over_when_it_stops()
    {
        var leases = new InProcessLeaseProvider();
        await using var second = await DiscordTestHost.StartAsync(settings: FastRetry, configureServices: s => s.AddSingleton<ILeaseProvider>(leases));
        var first = await DiscordTestHost.StartAsync(settings: FastRetry, configureServices: s => s.AddSingleton<ILeaseProvider>(leases));
        try
        {
            Assert.False((await ProbeAsync(first)).Ready);
            await first.StartGatewayAsync();
            await ConnectReadyAsync(first.Server);
            await WaitForAsync(async () => (await ProbeAsync(first)).Ready);
            Assert.StartsWith("connected", (await ProbeAsync(first)).Detail, StringComparison.Ordinal);

            await second.StartGatewayAsync();
            await WaitForAsync(() => Task.FromResult(Role(second) == LeaseRole.Standby));
            var standby = await ProbeAsync(second);
            Assert.True(standby.Ready, standby.Detail);
            Assert.StartsWith("standby", standby.Detail, StringComparison.Ordinal);
            Assert.False(second.Server.TryAcceptGateway(out _));
        }
        finally
        {
            // Stopping the holder releases the lease.
            await first.DisposeAsync();
        }

        await ConnectReadyAsync(second.Server);
        await WaitForAsync(async () => (await ProbeAsync(second)).Ready && Role(second) == LeaseRole.Holder);
        Assert.StartsWith("connected", (await ProbeAsync(second)).Detail, StringComparison.Ordinal);
    }

    private static async Task ConnectReadyAsync(FakeDiscordServer server)
    {
        var connection = await server.AcceptGatewayAsync(TimeSpan.FromSeconds(10));
        await connection.SendHelloAsync(FastBeatMs);
        await connection.ExpectAsync(2);
        await connection.SendReadyAsync("session-1", server.ResumeGatewayUrl);
    }

    private static LeaseRole Role(DiscordTestHost host) => host.Services.GetRequiredService<DiscordGatewayStatus>().Lease.Role;

    private static Task<Readiness> ProbeAsync(DiscordTestHost host) =>
        host.Services.GetServices<IReadinessProbe>().Single(p => p.Name == "discord-gateway").CheckAsync(CancellationToken.None);

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
