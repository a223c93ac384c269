using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Summaries;
using AlertBot.Discord.Gateway;
using AlertBot.Testing.Discord;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AlertBot.Discord.Tests;

/// <summary>The Discord adapter wired exactly as the worker wires it, pointed at a loopback fake Discord.</summary>
internal sealed class DiscordTestHost : IAsyncDisposable
{
    private DiscordGatewayService? _gateway;

    private DiscordTestHost(ServiceProvider services, FakeDiscordServer server)
    {
        Services = services;
        Server = server;
    }

    public ServiceProvider Services { get; }

    public FakeDiscordServer Server { get; }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public RecordingCommandProcessor Commands => (RecordingCommandProcessor)Services.GetRequiredService<ICommandProcessor>();

    public IAlertSink Sink => Services.GetServices<IAlertSink>().Single(s => s.Platform == Platforms.Discord);

    public static async Task<DiscordTestHost> StartAsync(
        Action<FakeDiscordServer>? configureServer = null,
        Dictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var server = await FakeDiscordServer.StartAsync();
        configureServer?.Invoke(server);
        var values = new Dictionary<string, string?>
        {
            ["AlertBot:Discord:BotToken"] = server.BotToken,
            ["AlertBot:Discord:ApiBaseUrl"] = server.ApiBaseUrl,
            ["AlertBot:Discord:GlobalRequestsPerSecond"] = server.GlobalLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AlertBot:Discord:RequestTimeoutSeconds"] = "10",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging();
        services.AddSingleton<ICommandProcessor, RecordingCommandProcessor>();

        services.AddAlertBotDiscord(configuration);
        configureServices?.Invoke(services);
        return new DiscordTestHost(services.BuildServiceProvider(validateScopes: true), server);
    }

    /// <summary>Every logged line, with its exception, for checks that a secret never leaks.</summary>
    public string AllLogText() =>
        string.Join('\n', Logs.GetSnapshot().Select(r => $"{r.Level} {r.Message} {r.Exception}"));

    /// <summary>Starts the gateway hosted service, as the host would.</summary>
    public async Task StartGatewayAsync()
    {
        _gateway = Services.GetServices<IHostedService>().OfType<DiscordGatewayService>().Single();
        await _gateway.StartAsync(CancellationToken.None);
    }

    /// <summary>Waits (bounded) until a log record matching <paramref name="match"/> has been written.</summary>
    public async Task<FakeLogRecord> WaitForLogAsync(Func<FakeLogRecord, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var found = Logs.GetSnapshot().FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(10, cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("ALERTBOT_TEST_LOG") is { Length: > 0 } logFile)
        {
            // Debugging aid: the host's log and the fake's requests, appended per test host.
            await File.AppendAllTextAsync(logFile, AllLogText() + "\n" + string.Join('\n', Server.Requests.Select(r => $"{r.Method} {r.Path} {r.Status}")) + "\n----\n");
        }

        if (_gateway is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _gateway.StopAsync(cts.Token);
        }

        await Services.DisposeAsync();
        await Server.DisposeAsync();
    }
}

internal static class TestAlerts
{
    public static AlertMessage Message(string title = "Qaani visits Baghdad") => new()
    {
        Title = title,
        Link = "https://example.org/news/qaani-baghdad",
        Source = "Example News",
        PublishedAt = new DateTimeOffset(2026, 11, 27, 6, 30, 0, TimeSpan.Zero),
        Sentences = ["Esmail Ghaani arrived in Baghdad on Tuesday.", "He met militia leaders."],
        Matches = [new MatchExplanation("Qaani", "Ghaani", Core.Matching.MatchField.Body, "Esmail Ghaani arrived in Baghdad on Tuesday.")],
    };

    public static OutboxEntry Entry(long id, ChannelRef channel, AlertMessage? message = null) =>
        new(id, ChannelId: 1, channel, $"item-{id}", message ?? Message(), Attempts: 0, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
}
