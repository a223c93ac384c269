using System.Globalization;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Watchlists;
using AlertBot.Storage;
using AlertBot.Telegram;
using AlertBot.Telegram.Receiving;
using AlertBot.Telegram.Sending;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;
using AlertBot.Testing.Telegram;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using AlertBot.Testing.Commands;

namespace AlertBot.Telegram.Tests;

/// <summary>
/// The Telegram adapter wired the way the Worker wires it (AddAlertBotCommands + AddAlertBotTelegram) against a
/// <see cref="FakeTelegramServer"/>, with an in-memory store and every log line captured.
/// </summary>
public sealed class TelegramTestHost : IAsyncDisposable
{
    public static readonly WatchlistPresets Presets = new([new WatchlistPreset("default", ["Qaani", "Houthis", "Red Sea"])]);

    public static readonly ActorDictionary Actors = new(
    [
        new Actor("Qaani", ["Qaani", "Ghaani", "Qa'ani"]),
        new Actor("Houthis", ["Houthis", "Huthi", "Ansar Allah"]),
    ]);

    private readonly List<IHostedService> _started = [];

    private readonly bool _ownsStore;

    private TelegramTestHost(ServiceProvider services, FakeTelegramServer fake, DapperAlertStore store, bool ownsStore, RecordingLogger logs)
    {
        _ownsStore = ownsStore;
        Services = services;
        Fake = fake;
        Store = store;
        Logs = logs;
    }

    public ServiceProvider Services { get; }

    public FakeTelegramServer Fake { get; }

    public DapperAlertStore Store { get; }

    public RecordingLogger Logs { get; }

    public TelegramAlertSink Sink => Services.GetRequiredService<TelegramAlertSink>();

    public static TelegramTestHost Create(
        FakeTelegramServer fake,
        DapperAlertStore? store = null,
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        RecordingLogger? logs = null,
        ILeaseProvider? leases = null,
        DelegatingAlertStore? faults = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["AlertBot:Telegram:Token"] = fake.Token,
            ["AlertBot:Telegram:ApiBaseUrl"] = fake.BaseUrl,
            ["AlertBot:Telegram:PollTimeout"] = "00:00:02",
            ["AlertBot:Telegram:RequestTimeout"] = "00:00:05",
            ["AlertBot:Telegram:ErrorBackoffInitial"] = "00:00:00.050",
            ["AlertBot:Telegram:ErrorBackoffMax"] = "00:00:00.200",
            ["AlertBot:Telegram:PerChatInterval"] = Invariant(fake.Limits.PerChatInterval),
            ["AlertBot:Telegram:PerGroupPerMinute"] = fake.Limits.PerGroup.ToString(CultureInfo.InvariantCulture),
            ["AlertBot:Telegram:GroupWindow"] = Invariant(fake.Limits.GroupWindow),
            ["AlertBot:Telegram:GlobalPerSecond"] = fake.Limits.Global.ToString(CultureInfo.InvariantCulture),
            ["AlertBot:Telegram:GlobalWindow"] = Invariant(fake.Limits.GlobalWindow),

            // Conversations here send many commands quickly; the command rate limit has its own tests, which set it.
            ["AlertBot:Commands:ChatCommandsPerMinute"] = "10000",
            ["AlertBot:Commands:UserCommandsPerMinute"] = "10000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        logs ??= new RecordingLogger();
        var ownsStore = store is null;
        store ??= TestStores.InMemory();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs.AsProvider()));
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddCommandStore(store);
        if (faults is not null)
        {
            services.AddStore(faults); // registered last, so its ports win
        }

        if (leases is not null)
        {
            services.AddSingleton(leases);
        }

        services.AddSingleton(Actors);
        services.AddSingleton(Presets);
        services.AddOptions<PollingOptions>();
        services.AddAlertBotCommands(configuration);
        services.AddAlertBotTelegram(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _ = provider.GetRequiredService<IOptions<TelegramOptions>>().Value;
        return new TelegramTestHost(provider, fake, store, ownsStore, logs);
    }

    private static string Invariant(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>Starts the update receiver (and anything else hosted) and waits until it has published its commands.</summary>
    public async Task StartReceiverAsync()
    {
        var before = Fake.CallCount("setMyCommands");
        foreach (var hosted in Services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
            _started.Add(hosted);
        }

        await Fake.WaitForCallAsync(_ => Fake.CallCount("setMyCommands") > before);
    }

    public async Task StopReceiverAsync()
    {
        foreach (var hosted in _started)
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        _started.Clear();
    }

    /// <summary>Waits until every queued update has been fetched and handled.</summary>
    public async Task SettleAsync()
    {
        await Fake.WaitForUpdatesConsumedAsync();
        await Services.GetRequiredService<UpdateDispatcher>().WhenIdleAsync(TimeSpan.FromSeconds(10));
    }

    public Task<Channel?> ChannelAsync(long chatId) =>
        Store.GetChannelAsync(new ChannelRef(Platforms.Telegram, chatId.ToString(CultureInfo.InvariantCulture)), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await StopReceiverAsync();
        await Services.DisposeAsync();
        if (_ownsStore)
        {
            ((IDisposable)Store).Dispose();
        }
    }
}
