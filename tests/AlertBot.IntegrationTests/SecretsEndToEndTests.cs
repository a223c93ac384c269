using System.Text.Json.Nodes;
using AlertBot.Testing.Discord;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Feeds;
using AlertBot.Testing.Telegram;
using AlertBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The worker in service mode with every secret configured (Telegram token, Discord bot token, Discord webhook URL),
/// through commands, alerts, a rejected token on each platform and a few errors: no secret reaches any log line, any
/// logged exception, or anything sent to users.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)] // starts the real process
public sealed class SecretsEndToEndTests : IAsyncLifetime
{
    private const string TelegramToken = "7312984650:AAGsecretTELEGRAMtoken_9f8e7d6c5b4a";
    private const string DiscordBotToken = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GsecretDISCORDbot.token_abc123";
    private const string WebhookToken = "WHsecret-webhook-token_0123456789abcdef";
    private const string DeadWebhookToken = "WHsecret-dead-webhook_fedcba9876543210";
    private const long Chat = 7701;
    private const long BlockedChat = 7702;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "alertbot-secrets-" + Guid.NewGuid().ToString("N"));
    private readonly RecordingLogger _logs = new();
    private LoopbackFeedServer _feeds = null!;
    private FakeTelegramServer _telegram = null!;
    private FakeDiscordServer _discord = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _feeds = await LoopbackFeedServer.StartAsync();
        _telegram = await FakeTelegramServer.StartAsync(TelegramToken, new FakeTelegramLimits(TimeSpan.FromMilliseconds(5), 200, TimeSpan.FromSeconds(1), 500, TimeSpan.FromSeconds(1)));
        _discord = await FakeDiscordServer.StartAsync();
        _discord.BotToken = DiscordBotToken;
        _discord.Webhooks["4242"] = WebhookToken;
    }

    public async Task DisposeAsync()
    {
        await _feeds.DisposeAsync();
        await _telegram.DisposeAsync();
        await _discord.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task No_token_appears_in_logs_logged_exceptions_or_anything_sent_to_users()
    {
        var first = new SampleItem("Houthis fire on a tanker in the Red Sea", "https://news.example/1", "<p>The Houthis said they fired on a tanker.</p>", DateTimeOffset.UtcNow);
        _feeds.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("Loopback", first)));
        _feeds.Set("/broken", LoopbackResponse.WithStatus(500));
        var config = ServiceConfig(_telegram.BaseUrl, _discord.ApiBaseUrl);

        // Errors from the start: each platform rejects its credentials once, and one webhook call fails.
        _telegram.FailNext("getUpdates", 401, "Unauthorized");
        _telegram.FailNext("getUpdates", 502, "Bad Gateway");
        _discord.InjectStatus("webhooks/4242", 401);

        var builder = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, config);
        builder.Logging.AddProvider(_logs.AsProvider());
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        var interactionTokens = new List<string>();
        using (var host = builder.Build())
        {
            await host.StartAsync();
            try
            {
                // Discord: the gateway session and two slash commands, one refused.
                var gateway = await _discord.AcceptGatewayAsync(TimeSpan.FromSeconds(20));
                await gateway.SendHelloAsync(45_000); // as Discord does: no heartbeat (nor a late ACK under load) within the test
                Assert.Equal(DiscordBotToken, (string?)(await gateway.ExpectAsync(2))["d"]!["token"]);
                await gateway.SendReadyAsync("session-1", _discord.ResumeGatewayUrl);
                foreach (var (sub, permissions) in new[] { ("subscribe", "16"), ("pause", "3072") })
                {
                    var interaction = FakeDiscordInteractions.SlashCommand("alerts", sub, permissions: permissions);
                    interactionTokens.Add((string)interaction["token"]!);
                    await gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);
                    await _discord.WaitForRequestAsync(r => r.Method == "PATCH" && r.Path.Contains(interactionTokens[^1], StringComparison.Ordinal), TimeSpan.FromSeconds(20));
                }

                // Telegram: two chats subscribe; one then blocks the bot.
                _telegram.SendText(Chat, Chat, "/subscribe");
                _telegram.SendText(BlockedChat, BlockedChat, "/subscribe");
                _telegram.SendText(Chat, Chat, "/feeds add https://user:pw@feeds.example/rss");
                await _telegram.WaitForMessageAsync(_ => _telegram.SentTo(Chat).Count >= 2 && _telegram.SentTo(BlockedChat).Count >= 1, TimeSpan.FromSeconds(20));
                _telegram.Forbid(BlockedChat);
                await Step("the baseline poll", () => _logs.WaitForAsync(e => e.Message.Contains("(Baseline)", StringComparison.Ordinal), TimeSpan.FromSeconds(30)));

                // A new story after everyone subscribed reaches the Telegram chat, the Discord channel and the webhook.
                var second = new SampleItem("Ansar Allah claims drone strike in the Red Sea", "https://news.example/2", "<p>Ansar Allah said it hit a ship.</p>", DateTimeOffset.UtcNow);
                _feeds.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("Loopback", second, first)));
                await Step("the Telegram alert", () => _telegram.WaitForMessageAsync(m => m.ChatId == Chat && m.PlainText.Contains(second.Title, StringComparison.Ordinal), TimeSpan.FromSeconds(30)));
                await Step("the Discord alert", () => _discord.WaitForRequestAsync(r => r.Path.StartsWith("/api/v10/channels/", StringComparison.Ordinal) && r.Status == 200, TimeSpan.FromSeconds(30)));
                await Step("the blocked chat's refusal", () => _logs.WaitForAsync(e => e.EventId.Id is 3003 or 3004, TimeSpan.FromSeconds(30)));

                // Then Discord rejects the bot token on a REST call and on the gateway.
                _discord.InjectStatus("channels/", 401);
                var third = new SampleItem("Houthis seize a cargo ship", "https://news.example/3", "<p>The Houthis seized a ship.</p>", DateTimeOffset.UtcNow);
                _feeds.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("Loopback", third, second, first)));
                await Step("the bot token's rejection", () => _logs.WaitForAsync(e => e.Level == LogLevel.Critical && e.Message.Contains("401", StringComparison.Ordinal), TimeSpan.FromSeconds(30)));
                await gateway.CloseAsync(4004, "Authentication failed.");
                await Step("the gateway's stop", () => _logs.WaitForAsync(e => e.Message.Contains("stopped for good", StringComparison.Ordinal), TimeSpan.FromSeconds(20)));
            }
            finally
            {
                await host.StopAsync();
            }
        }

        // Everything happened that the test claims: the failures were real and were logged.
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 3303); // Telegram rejected the token
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Feed ", StringComparison.Ordinal) && e.Message.Contains("failed", StringComparison.Ordinal));
        Assert.Contains(_discord.Requests, r => r.Path.Contains("/webhooks/4242/", StringComparison.Ordinal) && r.Status == 401);
        Assert.Contains(_discord.Requests, r => r.Path.Contains("/webhooks/4343/", StringComparison.Ordinal) && r.Status == 404);

        string[] secrets = [TelegramToken, TelegramToken.Split(':')[1], DiscordBotToken, WebhookToken, DeadWebhookToken, "pw@feeds", .. interactionTokens];
        var logged = _logs.AllWritten;
        var toUsers = string.Join('\n', _telegram.Sent.Select(m => m.Body.ToJsonString()))
            + string.Join('\n', _discord.Requests.Select(r => r.Body));
        Assert.NotEmpty(_logs.Entries);

        // The capture really holds the HTTP client's request lines (so a chat client that logged its URLs would show).
        Assert.Contains("Sending HTTP request GET " + _feeds.Url("/feed"), logged, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logged, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(secret), logged, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, toUsers, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Tokens_read_from_FILE_paths_are_the_ones_the_adapters_use_and_are_never_printed()
    {
        // Secret files as Docker mounts them: the value plus a trailing newline. No token is in the environment.
        var telegramFile = Path.Combine(_directory, "telegram-token");
        var discordFile = Path.Combine(_directory, "discord-token");
        await File.WriteAllTextAsync(telegramFile, TelegramToken + "\n");
        await File.WriteAllTextAsync(discordFile, DiscordBotToken + "\n");
        var environment = new Dictionary<string, string>
        {
            ["AlertBot__Telegram__Token_FILE"] = telegramFile,
            ["DISCORD_BOT_TOKEN_FILE"] = discordFile,
            ["AlertBot__Telegram__ApiBaseUrl"] = _telegram.BaseUrl,
            ["AlertBot__Telegram__PollTimeout"] = "00:00:01",
            ["AlertBot__Discord__ApiBaseUrl"] = _discord.ApiBaseUrl,
            ["AlertBot__Storage__ConnectionString"] = $"Data Source={Path.Combine(_directory, "file-secrets.db")}",
            ["AlertBot__Health__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Debug",
        };

        using var worker = WorkerProcess.Start(environment, "run");
        try
        {
            // Telegram: the fake answers only its own token, so a reply proves the token from the file was used.
            _telegram.SendText(Chat, Chat, "/help");
            var reply = await _telegram.WaitForMessageAsync(m => m.ChatId == Chat, TimeSpan.FromSeconds(60));
            Assert.Contains("/watch add", reply.PlainText, StringComparison.Ordinal);

            // Discord: REST with "Bot <token from the file>", then the same token in the gateway's Identify.
            var gateway = await _discord.AcceptGatewayAsync(TimeSpan.FromSeconds(30));
            await gateway.SendHelloAsync(45_000); // as Discord does: no heartbeat (nor a late ACK under load) within the test
            Assert.Equal(DiscordBotToken, (string?)(await gateway.ExpectAsync(2))["d"]!["token"]);
            Assert.Contains(_discord.Requests, r => r.Path == "/api/v10/gateway/bot" && r.Status == 200 && r.Authorization == "Bot " + DiscordBotToken);
            Assert.DoesNotContain(_telegram.Calls, c => c.Status == 401);
        }
        catch (Exception ex) when (ex is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\nWorker standard error:\n{worker.StandardError}");
        }
        finally
        {
            worker.KillHard();
        }

        foreach (var secret in new[] { TelegramToken, TelegramToken.Split(':')[1], DiscordBotToken })
        {
            Assert.DoesNotContain(secret, worker.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, worker.StandardError, StringComparison.Ordinal);
        }

        Assert.Contains("Telegram: connected as @AlertNewsBot.", worker.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Network_failures_on_every_chat_api_leak_no_token_into_logged_exceptions()
    {
        // Telegram: a server that accepts and hangs up at once; Discord: a port where nothing listens.
        using var hangUp = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        hangUp.Start();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await hangUp.AcceptTcpClientAsync(stop.Token);
                    client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
                }
            }
            catch (OperationCanceledException)
            {
                // Test over.
            }
        });
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var story = new SampleItem("Houthis fire on a tanker in the Red Sea", "https://news.example/1", "<p>The Houthis fired.</p>", DateTimeOffset.UtcNow);
        _feeds.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("Loopback", story)));
        var config = ServiceConfig($"http://127.0.0.1:{((System.Net.IPEndPoint)hangUp.LocalEndpoint).Port}", $"http://127.0.0.1:{closedPort}/api/v10");
        config["AlertBot:Polling:Feeds:0:Backfill"] = "1"; // an alert at once, for the webhooks to fail on
        var builder = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, config);
        builder.Logging.AddProvider(_logs.AsProvider());
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        using (var host = builder.Build())
        {
            await host.StartAsync();
            try
            {
                // An expected network failure is one line naming its cause (exception types and messages), no stack.
                await _logs.WaitForAsync(e => e.EventId.Id == 3304 && e.Exception is null && e.Message.Contains("Exception: ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
                // Discord.Net cannot reach the API: one line naming the cause, no exception (and so no stack) attached.
                var refused = await _logs.WaitForAsync(e => e.Message.StartsWith("Could not connect to Discord", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
                Assert.Null(refused.Exception);
                await _logs.WaitForAsync(e => e.Message.Contains("discord:webhook:4242", StringComparison.Ordinal) && e.Message.Contains("not delivered", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            }
            finally
            {
                await host.StopAsync();
                await stop.CancelAsync();
                await accepting;
            }
        }

        var logged = _logs.AllWritten;
        foreach (var secret in new[] { TelegramToken, TelegramToken.Split(':')[1], DiscordBotToken, WebhookToken, DeadWebhookToken })
        {
            Assert.DoesNotContain(secret, logged, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(secret), logged, StringComparison.Ordinal);
        }
    }

    /// <summary>Awaits one step of the story; on a timeout, says which and shows the latest log lines.</summary>
    private async Task Step(string what, Func<Task> wait)
    {
        try
        {
            await wait();
        }
        catch (TimeoutException)
        {
            var recent = string.Join('\n', _logs.Entries.TakeLast(40).Select(e => $"{e.Level} {e.Category}: {e.Message}"));
            throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}. Latest log lines:\n{recent}");
        }
    }

    /// <summary>Service mode with every secret set, the chat APIs at the given addresses, every log category at Trace.</summary>
    private Dictionary<string, string?> ServiceConfig(string telegramBaseUrl, string discordApiBaseUrl) => new()
    {
        ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".db")}",
        ["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.1/32", // the loopback servers
        ["AlertBot:Polling:Jitter"] = "0",
        ["AlertBot:Polling:Feeds:0:Url"] = _feeds.Url("/feed"),
        ["AlertBot:Polling:Feeds:0:Name"] = "Loopback",
        ["AlertBot:Polling:Feeds:0:Interval"] = "00:00:05",
        ["AlertBot:Polling:Feeds:0:Backfill"] = "0",
        ["AlertBot:Polling:Feeds:1:Url"] = _feeds.Url("/broken"),
        ["AlertBot:Polling:Feeds:1:Interval"] = "00:00:05",
        ["AlertBot:Delivery:Interval"] = "00:00:00.200",
        ["AlertBot:Delivery:RetryBaseDelay"] = "00:00:00.100",
        ["AlertBot:Health:Enabled"] = "false",
        ["AlertBot:Telegram:Token"] = TelegramToken,
        ["AlertBot:Telegram:ApiBaseUrl"] = telegramBaseUrl,
        ["AlertBot:Telegram:PollTimeout"] = "00:00:01",
        ["AlertBot:Telegram:ErrorBackoffInitial"] = "00:00:00.050",
        ["AlertBot:Telegram:ErrorBackoffMax"] = "00:00:00.200",
        ["AlertBot:Telegram:PerChatInterval"] = "00:00:00.010",
        ["AlertBot:Discord:BotToken"] = DiscordBotToken,
        ["AlertBot:Discord:ApiBaseUrl"] = discordApiBaseUrl,
        ["AlertBot:Discord:Webhooks:0"] = $"{discordApiBaseUrl}/webhooks/4242/{WebhookToken}",
        ["AlertBot:Discord:Webhooks:1"] = $"{discordApiBaseUrl}/webhooks/4343/{DeadWebhookToken}", // unknown: 404

        // Every category at Trace, including the HTTP client's request logging that prints URLs (Telegram's
        // carry the token, Discord's webhook and interaction URLs theirs): what a verbose operator would see.
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Trace",
        ["Logging:LogLevel:Quartz"] = "Trace",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace",
    };
}

/// <summary>Start-up order in service mode: the store is migrated before any chat adapter starts receiving.</summary>
public sealed class StartupOrderTests
{
    [Fact]
    public void The_bootstrapper_starts_before_the_chat_receivers()
    {
        var config = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), "alertbot-order-" + Guid.NewGuid().ToString("N") + ".db")}",
            ["AlertBot:Telegram:Token"] = "123456:TEST-token",
            ["AlertBot:Discord:BotToken"] = "discord-test-token",
            ["AlertBot:Health:Enabled"] = "false",
        };
        using var host = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, config).Build();

        var order = host.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();

        var bootstrapper = order.IndexOf(nameof(Bootstrapper));
        Assert.True(bootstrapper >= 0, string.Join(", ", order));
        Assert.True(bootstrapper < order.IndexOf("TelegramUpdateReceiver"), string.Join(", ", order));
        Assert.True(bootstrapper < order.IndexOf("DiscordGatewayService"), string.Join(", ", order));
    }
}
