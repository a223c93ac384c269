using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Storage;
using AlertBot.Testing.Feeds;
using AlertBot.Worker.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AlertBot.IntegrationTests;

/// <summary>The long-running service: Quartz fires the poll job per feed and the delivery job on their own.</summary>
public sealed class ServiceModeTests
{
    [Fact]
    public async Task The_scheduler_polls_each_feed_again_and_delivers_new_matches_to_the_console()
    {
        await using var server = await LoopbackFeedServer.StartAsync();
        var first = new SampleItem("Houthis threaten shipping", "https://news.example/1", "The Houthis said ships would be targeted.", DateTimeOffset.UtcNow);
        server.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("Loopback", first)));
        var directory = Path.Combine(Path.GetTempPath(), "alertbot-svc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var output = new StringWriter();
        var config = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "alertbot.db")}",
            ["AlertBot:Console:Enabled"] = "true",
            ["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.1/32", // the loopback feed server
            ["AlertBot:Polling:Jitter"] = "0",
            ["AlertBot:Polling:Feeds:0:Url"] = server.Url("/feed"),
            ["AlertBot:Polling:Feeds:0:Name"] = "Loopback",
            ["AlertBot:Polling:Feeds:0:Interval"] = "00:00:05",
            ["AlertBot:Polling:Feeds:0:Backfill"] = "1",
            ["AlertBot:Delivery:Interval"] = "00:00:00.200",
            ["AlertBot:Health:Urls"] = "http://127.0.0.1:0",
        };

        using (var host = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Synchronized(output), config).Build())
        {
            await host.StartAsync();
            try
            {
                // The first poll (at start) alerts on the backfilled item; a later scheduled poll finds the new one.
                await WaitForAsync(() => output.ToString().Contains(first.Title, StringComparison.Ordinal));
                var second = new SampleItem("Ansar Allah claims drone strike", "https://news.example/2", "Ansar Allah said it hit a ship.", DateTimeOffset.UtcNow);
                server.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("Loopback", second, first)));
                await WaitForAsync(() => output.ToString().Contains(second.Title, StringComparison.Ordinal));

                // The sink prints before the delivery is recorded: wait (bounded) for the record, not for a fixed time.
                var store = host.Services.GetRequiredService<DapperAlertStore>();
                using (var recorded = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                {
                    while ((await store.GetOutboxStatsAsync(null, CancellationToken.None)).Pending > 0 && !recorded.IsCancellationRequested)
                    {
                        await Task.Delay(50, CancellationToken.None);
                    }
                }

                Assert.Equal(0, (await store.GetOutboxStatsAsync(null, CancellationToken.None)).Pending);
                Assert.True(server.RequestCount("/feed") >= 2);

                // The health endpoint on its own port: alive, ready, and the pipeline's metrics in Prometheus format.
                var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
                using var http = new HttpClient { BaseAddress = new Uri(address) };
                Assert.Equal("ok", (await http.GetStringAsync("/healthz")).Trim());
                var ready = await http.GetAsync("/readyz");
                var readyBody = await ready.Content.ReadAsStringAsync();
                Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
                Assert.Contains("\"database\":{\"ready\":true", readyBody, StringComparison.Ordinal);
                Assert.Contains("\"scheduler\":{\"ready\":true", readyBody, StringComparison.Ordinal);
                // The delivered counter moves just after the delivery is recorded: wait (bounded) for it too.
                const string Delivered = @"alertbot_alerts_delivered(_total)?\{[^}]*platform=""console""[^}]*\} 2";
                var metrics = await http.GetStringAsync("/metrics");
                using (var counted = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                {
                    while (!System.Text.RegularExpressions.Regex.IsMatch(metrics, Delivered) && !counted.IsCancellationRequested)
                    {
                        await Task.Delay(50, CancellationToken.None);
                        metrics = await http.GetStringAsync("/metrics");
                    }
                }

                Assert.Matches(Delivered, metrics);
                Assert.Contains("alertbot_poll_duration", metrics, StringComparison.Ordinal);
                Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/anything-else")).StatusCode);
            }
            finally
            {
                await host.StopAsync();
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        Assert.Equal(2, output.ToString().Split("=== ALERT").Length - 1);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    [Fact]
    public async Task A_bad_setting_stops_the_service_at_start_with_a_message_naming_the_key()
    {
        var config = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), "alertbot-bad-" + Guid.NewGuid().ToString("N") + ".db")}",
            ["AlertBot:Polling:Jitter"] = "0.9",
            ["AlertBot:Health:Enabled"] = "false",
        };
        using var host = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, config).Build();
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("AlertBot:Polling:Jitter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_console_channel_is_the_default_only_when_no_chat_is_configured()
    {
        static bool ConsoleSinkRegistered(Dictionary<string, string?> config)
        {
            using var host = AlertBotHost.CreateBuilder(HostMode.Command, TextWriter.Null, config).Build();
            return host.Services.GetServices<IAlertSink>().Any(s => s.Platform == "console");
        }

        Assert.True(ConsoleSinkRegistered([]));
        Assert.False(ConsoleSinkRegistered(new() { ["AlertBot:Telegram:Token"] = "123456:TEST-token" }));
        Assert.True(ConsoleSinkRegistered(new() { ["AlertBot:Telegram:Token"] = "123456:TEST-token", ["AlertBot:Console:Enabled"] = "true" }));
        Assert.False(ConsoleSinkRegistered(new() { ["AlertBot:Discord:BotToken"] = "TEST.discord.token" }));
        Assert.False(ConsoleSinkRegistered(new() { ["AlertBot:Discord:Webhooks:0"] = "https://discord.com/api/webhooks/123/TEST-token" }));
        Assert.True(ConsoleSinkRegistered(new() { ["AlertBot:Telegram:Token"] = " " })); // blank is not a token
    }

    [Fact]
    public async Task A_configured_discord_webhook_becomes_a_channel_on_the_default_feeds_with_the_preset_its_adapter_names()
    {
        var directory = Path.Combine(Path.GetTempPath(), "alertbot-hook-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            Dictionary<string, string?> Config(string preset) => new()
            {
                ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, preset + ".db")}",
                ["AlertBot:Polling:Feeds:0:Url"] = "https://news.example/feed",
                ["AlertBot:Discord:Webhooks:0"] = "https://discord.com/api/webhooks/123/TEST-token",
                ["AlertBot:Discord:WebhookWatchlist"] = preset,
            };

            using (var host = AlertBotHost.CreateBuilder(HostMode.Command, TextWriter.Null, Config("middle-east")).Build())
            {
                await host.Services.GetRequiredService<Bootstrapper>().RunAsync(CancellationToken.None);
                var store = host.Services.GetRequiredService<IChannelStore>();
                var channel = await store.GetChannelAsync(new ChannelRef("discord", "webhook:123"), CancellationToken.None);

                Assert.NotNull(channel);
                Assert.True(channel.Active);
                Assert.Equal("Discord webhook", channel.Title);
                Assert.Contains("Hezbollah", (await host.Services.GetRequiredService<IWatchlistStore>().ListWatchTermsAsync(channel.Id, CancellationToken.None)).Select(t => t.Text));
                Assert.Null(await store.GetChannelAsync(new ChannelRef("console", "default"), CancellationToken.None)); // a chat is configured
            }

            using (var host = AlertBotHost.CreateBuilder(HostMode.Command, TextWriter.Null, Config("no-such-preset")).Build())
            {
                var error = await Assert.ThrowsAsync<InvalidOperationException>(
                    () => host.Services.GetRequiredService<Bootstrapper>().RunAsync(CancellationToken.None));
                Assert.Contains("AlertBot:Discord:WebhookWatchlist names 'no-such-preset'", error.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
