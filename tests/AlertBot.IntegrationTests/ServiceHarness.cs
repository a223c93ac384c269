using System.Globalization;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Summaries;
using AlertBot.Storage;
using AlertBot.Testing.Feeds;
using AlertBot.Worker.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The worker as it runs in production (<see cref="HostMode.Service"/>: scheduler, chat receivers, health endpoint) on a
/// SQLite file in a temp folder, reading one loopback feed every 5 s. Hosts built here share the database, so stopping
/// one and starting another is a process restart. A bare <c>/subscribe</c> gives the "quiet" watchlist, whose one term
/// no test story matches, so what alerts is what a test added.
/// </summary>
public sealed class ServiceHarness : IAsyncDisposable
{
    public const string FeedPath = "/feed";
    public const string QuietTerm = "Antarctic krill";

    private readonly List<WebApplication> _hosts = [];

    private ServiceHarness(string directory, LoopbackFeedServer feeds, Dictionary<string, string?> settings)
    {
        Directory = directory;
        Feeds = feeds;
        Settings = settings;
    }

    public string Directory { get; }

    public LoopbackFeedServer Feeds { get; }

    /// <summary>The configuration every host gets (tests may change it before building the next host).</summary>
    public Dictionary<string, string?> Settings { get; }

    /// <param name="settings">Chat adapters and anything else the test needs; wins over the defaults here.</param>
    public static async Task<ServiceHarness> CreateAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var directory = Path.Combine(Path.GetTempPath(), "alertbot-chat-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var watchlists = Path.Combine(directory, "watchlists.json");
        await File.WriteAllTextAsync(watchlists, $$"""{ "presets": [ { "name": "quiet", "terms": ["{{QuietTerm}}"] } ] }""");

        var feeds = await LoopbackFeedServer.StartAsync();
        feeds.Set(FeedPath, LoopbackResponse.Text(SampleFeeds.Rss("Loopback", new SampleItem("Markets close higher", "https://news.example/markets"))));
        var all = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "alertbot.db")}",
            ["AlertBot:Console:Enabled"] = "false",
            ["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.1/32", // the loopback feed server
            ["AlertBot:Polling:Jitter"] = "0",
            ["AlertBot:Polling:Feeds:0:Url"] = feeds.Url(FeedPath),
            ["AlertBot:Polling:Feeds:0:Name"] = "Loopback",
            ["AlertBot:Polling:Feeds:0:Interval"] = "00:00:05",
            ["AlertBot:Polling:Feeds:0:Backfill"] = "0",
            ["AlertBot:Delivery:Interval"] = "00:00:00.100",
            ["AlertBot:Delivery:RetryBaseDelay"] = "00:00:00.050",
            ["AlertBot:Delivery:RetryMaxDelay"] = "00:00:00.500",
            ["AlertBot:Health:Urls"] = "http://127.0.0.1:0",
            ["AlertBot:Matching:WatchlistsFile"] = watchlists,
            ["AlertBot:Commands:DefaultWatchlist"] = "quiet",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return new ServiceHarness(directory, feeds, all);
    }

    /// <summary>Builds and starts a service host on the shared database.</summary>
    /// <param name="beforeStart">Runs on the built host before it starts (to listen to its metrics from the first one).</param>
    public async Task<WebApplication> StartAsync(Action<WebApplication>? beforeStart = null)
    {
        var host = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, Settings).Build();
        _hosts.Add(host);
        beforeStart?.Invoke(host);
        await host.StartAsync();
        return host;
    }

    /// <summary>A graceful stop (what SIGTERM does), bounded so a hang fails the test.</summary>
    public static async Task StopAsync(WebApplication host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await host.StopAsync(timeout.Token).WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Runs <paramref name="seed"/> against the store of a short-lived command-mode host (migrated first).</summary>
    public async Task SeedAsync(Func<DapperAlertStore, Task> seed)
    {
        await using (var host = AlertBotHost.CreateBuilder(HostMode.Command, TextWriter.Null, Settings).Build())
        {
            await host.Services.GetRequiredService<Bootstrapper>().RunAsync(CancellationToken.None);
            await seed(host.Services.GetRequiredService<DapperAlertStore>());
        }

        SqliteConnection.ClearAllPools();
    }

    /// <summary>
    /// Queues <paramref name="perChannel"/> alerts for each channel straight into the outbox, interleaved across the
    /// channels as a busy poll would; returns each channel's titles in queue order.
    /// </summary>
    public async Task<Dictionary<string, List<string>>> EnqueueAlertsAsync(string platform, IReadOnlyList<string> channelIds, int perChannel)
    {
        var expected = channelIds.ToDictionary(id => id, _ => new List<string>());
        await SeedAsync(async store =>
        {
            var now = DateTimeOffset.UtcNow;
            var channels = new List<Channel>();
            foreach (var id in channelIds)
            {
                channels.Add(await store.EnsureChannelAsync(new ChannelRef(platform, id), "Chat " + id, now, CancellationToken.None));
            }

            var alerts = new List<NewAlert>();
            for (var n = 1; n <= perChannel; n++)
            {
                foreach (var channel in channels)
                {
                    var title = string.Create(CultureInfo.InvariantCulture, $"Alert {n:00} for {channel.Ref.ExternalId}: Houthis strike a ship");
                    expected[channel.Ref.ExternalId].Add(title);
                    alerts.Add(new NewAlert(channel.Id, $"item-{channel.Ref.ExternalId}-{n}", Message(title, n)));
                }
            }

            Assert.Equal(alerts.Count, await store.EnqueueAsync(alerts, now, CancellationToken.None));
        });
        return expected;
    }

    public static AlertMessage Message(string title, int n) => new()
    {
        Title = title,
        Link = string.Create(CultureInfo.InvariantCulture, $"https://news.example/alerts/{n}"),
        Source = "Loopback",
        PublishedAt = DateTimeOffset.UtcNow,
        Sentences = ["The Houthis said they fired on a tanker in the Red Sea."],
        Matches = [new MatchExplanation("Houthis", "Houthis", Core.Matching.MatchField.Title, title)],
    };

    /// <summary>
    /// Waits until every channel has received each of its expected titles (resends aside) and the outbox is empty.
    /// </summary>
    /// <param name="titlesIn">The titles a channel received so far, in the order the fake accepted them.</param>
    public Task WaitForDeliveryAsync(Dictionary<string, List<string>> expected, Func<string, IReadOnlyList<string>> titlesIn, TimeSpan timeout) =>
        WaitUntilAsync(
            async () => expected.All(e => titlesIn(e.Key).Distinct().Count() == e.Value.Count) && await PendingAsync() == 0,
            timeout,
            "every alert delivered and the outbox empty");

    /// <summary>The alert titles (each message's first line) a Telegram chat received, in the order the fake accepted them.</summary>
    public static IReadOnlyList<string> TelegramTitles(Testing.Telegram.FakeTelegramServer telegram, string chat) =>
        [.. telegram.SentTo(long.Parse(chat, CultureInfo.InvariantCulture)).Select(m => m.PlainText.Split('\n')[0])];

    /// <summary>
    /// The list with repeats in a row merged: a resend of a message whose answer was lost comes right after it (the
    /// channel's next alert waits for it), so this gives back the queue's order when nothing was lost or reordered.
    /// </summary>
    public static List<string> WithoutRepeats(IReadOnlyList<string> received) =>
        [.. received.Where((t, i) => i == 0 || received[i - 1] != t)];

    public static async Task<string[]> TermsAsync(DapperAlertStore store, long channelId) =>
        [.. (await store.ListWatchTermsAsync(channelId, CancellationToken.None)).Select(t => t.Text)];

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for: {what}");
            }

            await Task.Delay(50);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Waits until the configured feed's first poll has recorded what it held (so later items alert).</summary>
    public static Task WaitForBaselineAsync(WebApplication host)
    {
        var store = host.Services.GetRequiredService<DapperAlertStore>();
        return WaitUntilAsync(
            async () => (await store.ListFeedsAsync(CancellationToken.None)).All(f => f.BaselineDone),
            TimeSpan.FromSeconds(15),
            "the feed's baseline poll");
    }

    /// <summary>Pending outbox rows, read from the database file itself.</summary>
    public async Task<long> PendingAsync()
    {
        await using var connection = new SqliteConnection(Settings["AlertBot:Storage:ConnectionString"]);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM outbox WHERE status = 'pending'";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            try
            {
                await StopAsync(host);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or ObjectDisposedException)
            {
                // Already stopped or stuck: disposing below is all that is left to do.
            }

            await host.DisposeAsync();
        }

        await Feeds.DisposeAsync();
        SqliteConnection.ClearAllPools();
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
