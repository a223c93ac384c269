using System.Globalization;
using AlertBot.Core;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Feeds;
using AlertBot.Core.Items;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Retention;
using AlertBot.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.Benchmarks.Retention;

/// <summary>
/// A soak of retention: simulated days of polls (the real PollService, matcher, story planner, SQLite store and
/// DeliveryService; the feeds are documents in memory and the clock is moved by hand) with pruning after each day,
/// printing the database's size and row counts as the days go by. From day 1 every feed also keeps one evergreen item listed to
/// the end: it must alert exactly once per channel, however old it gets.
/// </summary>
public static class RetentionSoak
{
    private const int Feeds = 20;
    private const int NewPerDay = 10;
    private const int Listed = 30;
    private const string Platform = "soak";

    public static async Task RunAsync(TextWriter output, int days, int maxAgeDays, bool prune)
    {
        var directory = Path.Combine(Path.GetTempPath(), "alertbot-soak-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "alertbot.db");
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var farm = new FeedFarm(clock);
        var sink = new AcceptingSink();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={database}",
            ["AlertBot:Retention:MaxAge"] = TimeSpan.FromDays(maxAgeDays).ToString("c", CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<IFeedReader>(farm)
            .AddSingleton<IAlertSink>(sink)
            .AddAlertBotCore(configuration)
            .AddAlertBotStorage(configuration);
        await using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<DapperAlertStore>();
            await store.MigrateAsync(CancellationToken.None);
            var feedIds = new List<long>();
            for (var f = 0; f < Feeds; f++)
            {
                feedIds.Add((await store.UpsertFeedAsync(new FeedDefinition($"soak://feed/{f}", $"Feed {f}", TimeSpan.FromMinutes(5)), clock.GetUtcNow(), CancellationToken.None)).Id);
            }

            foreach (var name in new[] { "a", "b" })
            {
                var channel = await store.EnsureChannelAsync(new ChannelRef(Platform, name), name, clock.GetUtcNow(), CancellationToken.None);
                await store.AddWatchTermAsync(channel.Id, name == "a" ? "Houthis" : "Red Sea", clock.GetUtcNow(), CancellationToken.None);
                foreach (var feed in feedIds)
                {
                    await store.AttachFeedAsync(channel.Id, feed, CancellationToken.None);
                }
            }

            var poll = provider.GetRequiredService<PollService>();
            var delivery = provider.GetRequiredService<DeliveryService>();
            var retention = provider.GetRequiredService<RetentionService>();
            output.WriteLine($"{Feeds} feeds, {NewPerDay} new items per feed per day, {Listed} items listed per document plus one evergreen item; " +
                             $"{days} days; retention {(prune ? $"MaxAge {maxAgeDays} days, pruned daily" : "off")}");
            output.WriteLine("day  items pushed  seen_items  outbox rows  db pages  free pages  db bytes");
            var pushed = 0;
            var pruned = new PruneResult(0, 0);
            for (var day = 0; day <= days; day++)
            {
                farm.AddDay(day);
                pushed += Feeds * (day == 0 ? Listed : NewPerDay);
                foreach (var feed in feedIds)
                {
                    await poll.PollAsync(feed, CancellationToken.None);
                }

                await delivery.DeliverAllDueAsync(CancellationToken.None);
                if (prune)
                {
                    var result = await retention.PruneAsync(CancellationToken.None);
                    pruned = new PruneResult(pruned.SeenItems + result.SeenItems, pruned.OutboxRows + result.OutboxRows);
                }

                if (day % 15 == 0 || day == days)
                {
                    output.WriteLine(await DescribeAsync(database, day, pushed));
                }

                clock.Advance(TimeSpan.FromDays(1));
            }

            output.WriteLine($"pruned: {pruned.SeenItems} seen items, {pruned.OutboxRows} outbox rows; alerts delivered: {sink.Delivered}, " +
                             $"of them evergreen: {sink.Evergreen} (expected {Feeds}: one per feed, to channel a, whose term they match)");
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private static async Task<string> DescribeAsync(string database, int day, int pushed)
    {
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync();
        }

        async Task<long> Scalar(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        var pages = await Scalar("PRAGMA page_count");
        var free = await Scalar("PRAGMA freelist_count");
        var seen = await Scalar("SELECT count(*) FROM seen_items");
        var outbox = await Scalar("SELECT count(*) FROM outbox");
        var bytes = new FileInfo(database).Length;
        return string.Create(CultureInfo.InvariantCulture, $"{day,3}  {pushed,12}  {seen,10}  {outbox,11}  {pages,8}  {free,10}  {bytes,8}");
    }

    /// <summary>Each feed's document: its newest <see cref="Listed"/> items and its evergreen item, always 200.</summary>
    private sealed class FeedFarm(TimeProvider clock) : IFeedReader
    {
        private readonly Dictionary<int, List<NewsItem>> _items = [];
        private int _day;

        public void AddDay(int day)
        {
            _day = day;
            for (var f = 0; f < Feeds; f++)
            {
                if (!_items.TryGetValue(f, out var list))
                {
                    _items[f] = list = [];
                }

                for (var n = 0; n < (day == 0 ? Listed : NewPerDay); n++)
                {
                    var id = $"{f}-{day}-{n}";
                    // About one item in twenty names the Houthis, one in twenty the Red Sea; every text is its own story.
                    var topic = (((day * 7) + (n * 3) + f) % 20) switch { 0 => "the Houthis", 1 => "the Red Sea", _ => "the markets" };
                    list.Insert(0, new NewsItem
                    {
                        Id = id,
                        Title = $"Report {id} on {topic}",
                        Link = $"https://soak.example/{f}/{day}/{n}",
                        Text = $"Reporters covering {topic} filed dispatch {id} today. " + Filler(id),
                        Published = clock.GetUtcNow(),
                    });
                }

                if (list.Count > Listed)
                {
                    list.RemoveRange(Listed, list.Count - Listed);
                }
            }
        }

        public Task<FeedReadResult> ReadAsync(string source, FeedValidators validators, CancellationToken cancellationToken)
        {
            var f = int.Parse(source[(source.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
            var evergreen = new NewsItem
            {
                Id = $"evergreen-{f}",
                Title = $"Who the Houthis are, explainer {f}",
                Link = $"https://soak.example/{f}/evergreen",
                Text = "An explainer about the Houthis that this feed keeps at the top for months. " + Filler($"evergreen-{f}"),
                Published = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            };
            // From day 1 (after the baseline poll, which alerts nothing) to the end.
            IReadOnlyList<NewsItem> items = _day == 0 ? _items[f] : [evergreen, .. _items[f]];
            return Task.FromResult<FeedReadResult>(new FeedReadResult.Success($"Feed {f}", items, FeedValidators.None));
        }

        private static string Filler(string seed)
        {
            var random = new Random(seed.GetHashCode(StringComparison.Ordinal));
            return string.Join(' ', Enumerable.Range(0, 60).Select(_ => Words[random.Next(Words.Length)])) + ".";
        }

        private static readonly string[] Words =
        [
            "officials", "said", "ports", "shipping", "talks", "ministers", "convoy", "border", "council", "vote", "prices",
            "statement", "region", "forces", "aid", "envoy", "summit", "harbour", "tanker", "insurers", "routes", "delay",
        ];
    }

    private sealed class AcceptingSink : IAlertSink
    {
        private long _delivered;
        private long _evergreen;

        public string Platform => RetentionSoak.Platform;

        public long Delivered => Interlocked.Read(ref _delivered);

        public long Evergreen => Interlocked.Read(ref _evergreen);

        public Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken)
        {
            if (entry.ItemKey.EndsWith("/evergreen", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _evergreen);
            }

            return Task.FromResult<DeliveryResult>(new DeliveryResult.Delivered($"m{Interlocked.Increment(ref _delivered)}"));
        }
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
