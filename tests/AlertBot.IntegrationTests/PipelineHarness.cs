using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Storage;
using AlertBot.Testing.Fakes;
using AlertBot.Worker.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The real worker's services (real SQLite file, real feed reader, real matcher) built the way the CLI builds them,
/// with a recording sink for platform "test" and a fake clock. <see cref="RestartAsync"/> drops every in-memory
/// object and builds them again on the same database file, as a process restart would.
/// </summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _config;
    private WebApplication _host;

    private PipelineHarness(Dictionary<string, string?> config, RecordingAlertSink sink, FakeTimeProvider time)
    {
        _config = config;
        Sink = sink;
        Time = time;
        _host = Build();
    }

    public string Directory { get; private init; } = "";

    public RecordingAlertSink Sink { get; }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => _host.Services;

    public DapperAlertStore Store => Services.GetRequiredService<DapperAlertStore>();

    /// <param name="feeds">(url, backfill) of each configured feed.</param>
    public static Task<PipelineHarness> StartAsync(params (string Url, int Backfill)[] feeds) =>
        StartAsync(new Dictionary<string, string?>(), feeds);

    /// <param name="settings">Extra configuration, e.g. polling limits.</param>
    /// <param name="feeds">(url, backfill) of each configured feed.</param>
    public static async Task<PipelineHarness> StartAsync(IReadOnlyDictionary<string, string?> settings, params (string Url, int Backfill)[] feeds)
    {
        var directory = Path.Combine(Path.GetTempPath(), "alertbot-it-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var config = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "alertbot.db")}",
            ["AlertBot:Console:Enabled"] = "false",
            ["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.1/32", // the loopback feed server
            ["AlertBot:Delivery:RetryBaseDelay"] = "00:00:10",
            ["AlertBot:Delivery:RetryMaxDelay"] = "00:05:00",
        };
        for (var i = 0; i < Math.Max(feeds.Length, 1); i++)
        {
            // Index 0 always exists in config/appsettings.json (the seed feed); replace it, and add the rest.
            config[$"AlertBot:Polling:Feeds:{i}:Url"] = i < feeds.Length ? feeds[i].Url : "";
            config[$"AlertBot:Polling:Feeds:{i}:Name"] = $"Feed {i}";
            config[$"AlertBot:Polling:Feeds:{i}:Backfill"] = (i < feeds.Length ? feeds[i].Backfill : 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in settings)
        {
            config[key] = value;
        }

        var harness = new PipelineHarness(config, new RecordingAlertSink(), new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero)))
        {
            Directory = directory,
        };
        await harness.Services.GetRequiredService<Bootstrapper>().RunAsync(CancellationToken.None);
        return harness;
    }

    private WebApplication Build()
    {
        var builder = AlertBotHost.CreateBuilder(HostMode.Command, TextWriter.Null, _config);
        builder.Services.AddSingleton<IAlertSink>(Sink);
        builder.Services.AddSingleton<TimeProvider>(Time);
        return builder.Build();
    }

    /// <summary>A channel on the test platform that reads every configured feed and watches <paramref name="terms"/>.</summary>
    public async Task<Channel> AddChannelAsync(string id, params string[] terms)
    {
        var channel = await Store.EnsureChannelAsync(new ChannelRef(Sink.Platform, id), id, Time.GetUtcNow(), CancellationToken.None);
        foreach (var feed in await Store.ListFeedsAsync(CancellationToken.None))
        {
            await Store.AttachFeedAsync(channel.Id, feed.Id, CancellationToken.None);
        }

        foreach (var term in terms)
        {
            await Store.AddWatchTermAsync(channel.Id, term, Time.GetUtcNow(), CancellationToken.None);
        }

        return channel;
    }

    public async Task<IReadOnlyList<PollOutcome>> PollAllAsync()
    {
        var outcomes = new List<PollOutcome>();
        foreach (var feed in await Store.ListFeedsAsync(CancellationToken.None))
        {
            outcomes.Add(await Services.GetRequiredService<PollService>().PollAsync(feed.Id, CancellationToken.None));
        }

        return outcomes;
    }

    public Task<DeliveryRound> DeliverAsync() =>
        Services.GetRequiredService<DeliveryService>().DeliverAllDueAsync(CancellationToken.None);

    /// <summary>Everything in memory is dropped and built again on the same database file.</summary>
    /// <param name="changes">Configuration to change for the new start (e.g. a limit), or null.</param>
    public async Task RestartAsync(IReadOnlyDictionary<string, string?>? changes = null)
    {
        foreach (var (key, value) in changes ?? new Dictionary<string, string?>())
        {
            _config[key] = value;
        }

        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _host = Build();
        await Services.GetRequiredService<Bootstrapper>().RunAsync(CancellationToken.None);
    }

    /// <summary>What the test sink received for one channel, as (item title) in delivery order.</summary>
    public IReadOnlyList<string> TitlesFor(string channelId) =>
        Sink.Delivered.Where(e => e.Channel.ExternalId == channelId).Select(e => e.Message.Title).ToList();

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
