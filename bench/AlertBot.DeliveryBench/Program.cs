using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Summaries;
using AlertBot.DeliveryBench;
using AlertBot.Testing.Discord;
using AlertBot.Testing.Feeds;
using AlertBot.Testing.Telegram;
using AlertBot.Worker.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

// Delivery at the platforms' ceilings: the real worker host (outbox on SQLite, the Quartz delivery job, Telegram.Bot,
// Discord.Net) against the loopback fakes, which answer 429 with retry_after when a real limit is exceeded.
// See bench/README.md. Usage: AlertBot.DeliveryBench [telegram|discord|both] [--burst 1000] [--rate 20] [--seconds 30]
var platform = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && !int.TryParse(a, CultureInfo.InvariantCulture, out _)) ?? "both";
var burst = Option("--burst", 1000);
var rate = Option("--rate", 20);
var seconds = Option("--seconds", 30);
if (platform is not ("telegram" or "discord" or "both"))
{
    await Console.Error.WriteLineAsync("usage: AlertBot.DeliveryBench [telegram|discord|both] [--burst 1000] [--rate 20] [--seconds 30]");
    return 2;
}

if (platform is "telegram" or "both")
{
    await Bench.RunAsync(await TelegramTarget.StartAsync(chats: 100), burst, rate, seconds);
}

if (platform is "discord" or "both")
{
    await Bench.RunAsync(await DiscordTarget.StartAsync(channels: 50), burst, rate, seconds);
}

return 0;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

namespace AlertBot.DeliveryBench
{
    /// <summary>One chat platform's fake, the worker's settings for it, and what the fake saw.</summary>
    internal interface ITarget : IAsyncDisposable
    {
        string Name { get; }

        string Platform { get; }

        IReadOnlyList<string> ChannelIds { get; }

        /// <summary>The documented ceiling for this spread of channels, in messages per second, and why.</summary>
        (double PerSecond, string Why) Ceiling { get; }

        Dictionary<string, string?> Settings { get; }

        /// <summary>The fake's clock.</summary>
        TimeSpan Now { get; }

        /// <summary>Accepted messages: their text and when the fake accepted them (fake clock).</summary>
        IReadOnlyList<(string Text, TimeSpan At)> Accepted();

        /// <summary>429s the fake gave because the client exceeded a limit.</summary>
        int LimitRejections { get; }

        Task AfterStartAsync();
    }

    internal sealed class TelegramTarget(FakeTelegramServer server, IReadOnlyList<string> chats) : ITarget
    {
        public static async Task<TelegramTarget> StartAsync(int chats)
        {
            var server = await FakeTelegramServer.StartAsync();

            // Groups (negative ids), so the per-group limit of 20 a minute is in play as well as 1 a second per chat.
            return new TelegramTarget(server, [.. Enumerable.Range(1, chats).Select(i => (-1_001_000_000_000L - i).ToString(CultureInfo.InvariantCulture))]);
        }

        public string Name => $"Telegram, {ChannelIds.Count} group chats";

        public string Platform => Platforms.Telegram;

        public IReadOnlyList<string> ChannelIds => chats;

        public (double PerSecond, string Why) Ceiling =>
            (Math.Min(server.Limits.Global / server.Limits.GlobalWindow.TotalSeconds, chats.Count / server.Limits.PerChatInterval.TotalSeconds),
                $"global {server.Limits.Global}/s; per chat 1/s, per group {server.Limits.PerGroup}/min");

        public Dictionary<string, string?> Settings => new()
        {
            ["AlertBot:Telegram:Token"] = server.Token,
            ["AlertBot:Telegram:ApiBaseUrl"] = server.BaseUrl,
        };

        public TimeSpan Now => server.Elapsed;

        public int LimitRejections => server.LimitRejections;

        public IReadOnlyList<(string Text, TimeSpan At)> Accepted() =>
            [.. server.Calls.Where(c => c is { Method: "sendMessage", Status: 200 }).Select(c => ((string?)c.Body["text"] ?? "", c.At))];

        public Task AfterStartAsync() => Task.CompletedTask;

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }

    internal sealed class DiscordTarget(FakeDiscordServer server, IReadOnlyList<string> channels) : ITarget
    {
        public static async Task<DiscordTarget> StartAsync(int channels)
        {
            var server = await FakeDiscordServer.StartAsync();

            // Discord's message bucket: 5 per 5 s per channel (the fake's default window is short, for tests).
            server.BucketLimit = 5;
            server.BucketWindow = TimeSpan.FromSeconds(5);
            server.GlobalLimit = 50;
            return new DiscordTarget(server, [.. Enumerable.Range(1, channels).Select(i => (620_000_000_000_000_000UL + (ulong)i).ToString(CultureInfo.InvariantCulture))]);
        }

        public string Name => $"Discord, {ChannelIds.Count} channels";

        public string Platform => Platforms.Discord;

        public IReadOnlyList<string> ChannelIds => channels;

        public (double PerSecond, string Why) Ceiling =>
            (Math.Min(server.GlobalLimit, channels.Count * server.BucketLimit / server.BucketWindow.TotalSeconds),
                $"global {server.GlobalLimit}/s; per channel {server.BucketLimit} per {server.BucketWindow.TotalSeconds:0} s");

        public Dictionary<string, string?> Settings => new()
        {
            ["AlertBot:Discord:BotToken"] = server.BotToken,
            ["AlertBot:Discord:ApiBaseUrl"] = server.ApiBaseUrl,
            ["AlertBot:Discord:GatewayUrl"] = server.GatewayUrl,
        };

        public TimeSpan Now => server.Elapsed;

        public int LimitRejections => server.UnexpectedRateLimitCount;

        public IReadOnlyList<(string Text, TimeSpan At)> Accepted() =>
            [.. server.Requests.Where(r => r is { Method: "POST", Status: 200 } && r.Path.EndsWith("/messages", StringComparison.Ordinal)).Select(r => (r.Body, r.At))];

        /// <summary>Takes the worker's gateway through Hello, Identify and READY, as Discord would.</summary>
        public async Task AfterStartAsync()
        {
            var connection = await server.AcceptGatewayAsync(TimeSpan.FromSeconds(30));
            await connection.SendHelloAsync(heartbeatIntervalMs: 45_000);
            await connection.ExpectAsync(2, TimeSpan.FromSeconds(30));
            await connection.SendReadyAsync("session-bench", server.ResumeGatewayUrl);
        }

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }

    internal static partial class Bench
    {
        public static async Task RunAsync(ITarget target, int burst, int rate, int seconds)
        {
            await using var _ = target;
            var directory = Path.Combine(Path.GetTempPath(), "alertbot-delivery-bench-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            await using var feeds = await LoopbackFeedServer.StartAsync();
            feeds.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("Quiet", new SampleItem("Markets close higher", "https://news.example/markets"))));
            var settings = new Dictionary<string, string?>
            {
                ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "alertbot.db")}",
                ["AlertBot:Console:Enabled"] = "false",
                ["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.1/32",
                ["AlertBot:Polling:Feeds:0:Url"] = feeds.Url("/feed"),
                ["AlertBot:Polling:Feeds:0:Name"] = "Quiet",
                ["AlertBot:Health:Enabled"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            foreach (var (key, value) in target.Settings)
            {
                settings[key] = value;
            }

            await using var host = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, settings).Build();
            await host.StartAsync();
            await target.AfterStartAsync();
            try
            {
                var channelStore = host.Services.GetRequiredService<IChannelStore>();
                var store = host.Services.GetRequiredService<IOutboxStore>();

                // Raised after each enqueue, as a poll does once it has committed alerts.
                var signal = host.Services.GetRequiredService<OutboxSignal>();
                var channels = new List<Channel>();
                foreach (var id in target.ChannelIds)
                {
                    channels.Add(await channelStore.EnsureChannelAsync(new ChannelRef(target.Platform, id), "Bench " + id, DateTimeOffset.UtcNow, CancellationToken.None));
                }

                var (ceiling, why) = target.Ceiling;
                Console.WriteLine($"== {target.Name}: ceiling {ceiling:0.#} msg/s ({why})");

                // 0. Warm-up: one alert per channel, so the process is as a running bot's (code jitted, connections open,
                // channels known), then a pause past every bucket's window.
                var warm = channels.Select((c, i) => new NewAlert(c.Id, $"warm-{i}", Message(90_000 + i))).ToList();
                await store.EnqueueAsync(warm, DateTimeOffset.UtcNow, CancellationToken.None);
                signal.Raise();
                await WaitForAsync(target, Enumerable.Range(90_000, warm.Count), TimeSpan.FromSeconds(120));
                await Task.Delay(TimeSpan.FromSeconds(6));

                // 1. A burst: every alert queued at once, interleaved across the channels as a busy poll would.
                var queued = new Dictionary<int, TimeSpan>();
                var alerts = new List<NewAlert>();
                for (var n = 0; n < burst; n++)
                {
                    var channel = channels[n % channels.Count];
                    alerts.Add(new NewAlert(channel.Id, $"burst-{n}", Message(n)));
                }

                var before = target.LimitRejections;
                var started = target.Now;
                await store.EnqueueAsync(alerts, DateTimeOffset.UtcNow, CancellationToken.None);
                var enqueued = target.Now;
                signal.Raise();
                foreach (var n in Enumerable.Range(0, burst))
                {
                    queued[n] = enqueued;
                }

                var accepted = await WaitForAsync(target, queued.Keys, TimeSpan.FromSeconds(burst / ceiling * 3 + 60));
                var last = accepted.Values.Max();
                var took = last - started;
                var ideal = TimeSpan.FromSeconds(burst / ceiling);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"burst  {burst} alerts: all accepted {took.TotalSeconds:0.0} s after queueing ({burst / took.TotalSeconds:0.0} msg/s, {ideal.TotalSeconds / took.TotalSeconds:P1} of the ceiling; ideal {ideal.TotalSeconds:0.0} s); 429s: {target.LimitRejections - before}"));
                Console.WriteLine("       " + Latency(queued, accepted));
                Console.WriteLine("       accepted per second: " + string.Join(' ', accepted.Values.GroupBy(a => (int)(a - started).TotalSeconds).OrderBy(g => g.Key).Select(g => g.Count())));

                // 2. A steady stream below the limits: one alert at a time, `rate` per second, round the channels.
                before = target.LimitRejections;
                queued.Clear();
                var total = rate * seconds;
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < total; i++)
                {
                    var due = TimeSpan.FromSeconds((double)i / rate);
                    var wait = due - clock.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }

                    var n = burst + i;
                    await store.EnqueueAsync([new NewAlert(channels[i % channels.Count].Id, $"stream-{n}", Message(n))], DateTimeOffset.UtcNow, CancellationToken.None);
                    queued[n] = target.Now;
                    signal.Raise();
                }

                accepted = await WaitForAsync(target, queued.Keys, TimeSpan.FromSeconds(120));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"stream {total} alerts at {rate}/s over {channels.Count} channels: 429s: {target.LimitRejections - before}"));
                Console.WriteLine("       " + Latency(queued, accepted));
            }
            finally
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await host.StopAsync(stop.Token);
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(directory, recursive: true);
            }
        }

        /// <summary>When the fake first accepted each alert; waits until every one is in, or gives up after the timeout.</summary>
        private static async Task<Dictionary<int, TimeSpan>> WaitForAsync(ITarget target, IEnumerable<int> expected, TimeSpan timeout)
        {
            var wanted = expected.ToHashSet();
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var seen = new Dictionary<int, TimeSpan>();
                foreach (var (text, at) in target.Accepted())
                {
                    if (AlertNumber().Match(text) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) is var n && wanted.Contains(n))
                    {
                        seen.TryAdd(n, at);
                    }
                }

                if (seen.Count == wanted.Count)
                {
                    return seen;
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException($"{target.Name}: {wanted.Count - seen.Count} of {wanted.Count} alerts not accepted after {timeout.TotalSeconds:0} s");
                }

                await Task.Delay(100);
            }
        }

        private static string Latency(Dictionary<int, TimeSpan> queued, Dictionary<int, TimeSpan> accepted)
        {
            var ms = queued.Select(q => (accepted[q.Key] - q.Value).TotalMilliseconds).Order().ToArray();
            double P(double p) => ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(p * ms.Length) - 1)];
            return string.Create(CultureInfo.InvariantCulture, $"queued -> accepted: p50 {P(0.50):0} ms, p90 {P(0.90):0} ms, p99 {P(0.99):0} ms, max {ms[^1]:0} ms");
        }

        private static AlertMessage Message(int n) => new()
        {
            Title = string.Create(CultureInfo.InvariantCulture, $"Bench alert {n:00000}: Houthis strike a ship"),
            Link = string.Create(CultureInfo.InvariantCulture, $"https://news.example/bench/{n}"),
            Source = "Bench",
            PublishedAt = DateTimeOffset.UtcNow,
            Sentences = ["The Houthis said they fired on a tanker in the Red Sea."],
            Matches = [new MatchExplanation("Houthis", "Houthis", MatchField.Title, "Houthis strike a ship")],
        };

        [GeneratedRegex(@"Bench alert (\d{5})")]
        private static partial Regex AlertNumber();
    }
}
