using System.Diagnostics;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Storage;
using AlertBot.Testing.Discord;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The worker's delivery job against the loopback fake Discord, through Discord.Net: a long 429 is the outbox's wait,
/// not one hidden inside a library call, so a graceful stop ends at once and loses nothing; a channel Discord no
/// longer knows is deactivated after one look.
/// </summary>
public sealed class DiscordDeliveryEndToEndTests : IAsyncLifetime
{
    private const string Channel = "630000000000000001";
    private FakeDiscordServer _discord = null!;
    private ServiceHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _discord = await FakeDiscordServer.StartAsync();
        _harness = await ServiceHarness.CreateAsync(DiscordEndToEndTests.DiscordSettings(_discord));
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _discord.DisposeAsync();
    }

    [Fact]
    public async Task A_graceful_stop_during_a_long_429_ends_within_the_shutdown_timeout_and_keeps_every_alert()
    {
        await _harness.EnqueueAlertsAsync(Platforms.Discord, [Channel], perChannel: 3);
        _discord.InjectRateLimit(Channel, TimeSpan.FromMinutes(2));

        var host = await _harness.StartAsync();
        await ServiceHarness.WaitUntilAsync(() => _discord.RateLimits.Any(r => r.Injected), TimeSpan.FromSeconds(20), "the 429");
        var stopping = Stopwatch.StartNew();
        await ServiceHarness.StopAsync(host); // fails the test past its 15 s shutdown timeout

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"stopping took {stopping.Elapsed}");
        Assert.Empty(_discord.MessagesIn(Channel));
        Assert.Equal(3, await _harness.PendingAsync());
        Assert.Single(_discord.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task A_channel_discord_no_longer_knows_is_deactivated_once_and_its_alerts_closed()
    {
        await _harness.EnqueueAlertsAsync(Platforms.Discord, [Channel], perChannel: 3);
        _discord.GoneChannels.Add(Channel);

        var host = await _harness.StartAsync();
        var store = host.Services.GetRequiredService<DapperAlertStore>();
        await ServiceHarness.WaitUntilAsync(
            async () => await store.GetChannelAsync(new ChannelRef(Platforms.Discord, Channel), CancellationToken.None) is { Active: false },
            TimeSpan.FromSeconds(20),
            "the channel deactivated");
        await ServiceHarness.WaitUntilAsync(async () => await _harness.PendingAsync() == 0, TimeSpan.FromSeconds(20), "its alerts closed");

        Assert.Single(_discord.Requests, r => r.Path == $"/api/v10/channels/{Channel}");
        Assert.DoesNotContain(_discord.Requests, r => r.Method == "POST");
    }
}
