using System.Text.Json.Nodes;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Summaries;
using AlertBot.Core.Watchlists;
using AlertBot.Discord.Gateway;
using AlertBot.Storage;
using AlertBot.Testing.Commands;
using AlertBot.Testing.Discord;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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

    /// <summary>
    /// A host whose interactions run through Core's real command set (rate limits high enough never to bind) over
    /// <paramref name="store"/>, with its gateway connected and READY: what the interaction tests start from.
    /// </summary>
    /// <param name="actors">The actor dictionary the commands see.</param>
    /// <param name="defaultTerms">The terms of the "default" watchlist preset.</param>
    public static async Task<(DiscordTestHost Host, FakeGatewayConnection Connection)> StartWithCommandsAsync(
        DapperAlertStore store, ActorDictionary actors, params string[] defaultTerms)
    {
        var commands = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AlertBot:Commands:ChatCommandsPerMinute"] = "1000",
            ["AlertBot:Commands:UserCommandsPerMinute"] = "1000",
        }).Build();
        var host = await StartAsync(configureServices: services =>
        {
            services.RemoveAll<ICommandProcessor>();
            services.AddCommandStore(store);
            services.AddSingleton(actors);
            services.AddSingleton(new WatchlistPresets([new WatchlistPreset("default", defaultTerms)]));
            services.AddOptions<PollingOptions>();
            services.AddAlertBotCommands(commands);
        });
        await host.StartGatewayAsync();
        var connection = await host.Server.AcceptGatewayAsync();
        await connection.SendHelloAsync(45_000);
        await connection.ExpectAsync(2);
        await connection.SendReadyAsync("session-1", host.Server.ResumeGatewayUrl);
        return (host, connection);
    }

    /// <summary>Sends <paramref name="interaction"/> and returns the reply: the content of the deferred response's edit.</summary>
    public async Task<string> InteractAsync(FakeGatewayConnection connection, JsonObject interaction)
    {
        var token = (string)interaction["token"]!;
        await connection.SendDispatchAsync("INTERACTION_CREATE", interaction);
        var edit = await Server.WaitForRequestAsync(r => r.Method == "PATCH" && r.Path.Contains(token, StringComparison.Ordinal));
        return (string)edit.Json!["content"]!;
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
