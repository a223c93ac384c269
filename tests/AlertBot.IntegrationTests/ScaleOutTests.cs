using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AlertBot.Testing.Discord;
using AlertBot.Testing.Feeds;
using AlertBot.Testing.Telegram;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace AlertBot.IntegrationTests;

/// <summary>
/// Three real worker processes on one PostgreSQL schema: the Quartz cluster polls each feed once per interval (not
/// three times), every alert reaches the Discord webhook once, exactly one process polls Telegram; then the Telegram
/// poller's process is SIGKILLed mid-run and the other two carry on: feeds keep being polled, alerts queued after the
/// kill still arrive, and a standby takes over Telegram.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)] // three real processes on one PostgreSQL database
public sealed class ScaleOutTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int FeedCount = 4;
    private const int Nodes = 3;
    private const string WebhookId = "4242";
    private const string WebhookToken = "scale-out-webhook-token";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(20);

    // Quartz takes a silent node for dead after check-in + threshold; its acquired triggers fire soon after.
    private static readonly TimeSpan CheckIn = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CheckInThreshold = TimeSpan.FromSeconds(2);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<SampleItem>[] _items = Enumerable.Range(0, FeedCount).Select(_ => new List<SampleItem>()).ToArray();
    private readonly ConcurrentQueue<TimeSpan>[] _polls = Enumerable.Range(0, FeedCount).Select(_ => new ConcurrentQueue<TimeSpan>()).ToArray();
    private readonly List<(WorkerProcess Process, Uri Health)> _workers = [];
    private readonly Lock _gate = new();
    private PostgresTestSchema _schema = null!;
    private LoopbackFeedServer _feeds = null!;
    private FakeDiscordServer _discord = null!;
    private FakeTelegramServer _telegram = null!;

    public async Task InitializeAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        _feeds = await LoopbackFeedServer.StartAsync();
        _discord = await FakeDiscordServer.StartAsync();
        _discord.Webhooks[WebhookId] = WebhookToken;
        _telegram = await FakeTelegramServer.StartAsync();
        for (var f = 0; f < FeedCount; f++)
        {
            var feed = f;
            _feeds.Set(FeedPath(f), new LoopbackResponse { Handler = context => ServeAsync(feed, context) });
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var (process, _) in _workers)
        {
            process.Dispose();
        }

        await _feeds.DisposeAsync();
        await _discord.DisposeAsync();
        await _telegram.DisposeAsync();
        await _schema.DisposeAsync();
    }

    [Fact]
    public async Task Three_instances_share_the_schedule_and_the_chat_adapters_and_survive_losing_one()
    {
        for (var n = 0; n < Nodes; n++)
        {
            var port = FreePort();
            _workers.Add((WorkerProcess.Start(Environment(port), "run"), new Uri($"http://127.0.0.1:{port}")));
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var states = await WaitForAsync(
            async () =>
            {
                var all = await Task.WhenAll(_workers.Select(w => ReadyAsync(http, w.Health)));
                return all.All(s => s.Ready) && all.Count(s => s.Telegram.StartsWith("receiving", StringComparison.Ordinal)) == 1 ? all : null;
            },
            TimeSpan.FromSeconds(60),
            "all three instances ready, one of them polling Telegram");
        Assert.All(states.Where(s => !s.Telegram.StartsWith("receiving", StringComparison.Ordinal)),
            s => Assert.StartsWith("standby", s.Telegram, StringComparison.Ordinal));
        var holder = Array.FindIndex(states, s => s.Telegram.StartsWith("receiving", StringComparison.Ordinal));

        // Every feed's first poll records its (empty) baseline; only stories published after it are news.
        await WaitForAsync(
            () => Task.FromResult(_polls.All(p => !p.IsEmpty) ? states : null),
            TimeSpan.FromSeconds(20),
            "every feed's baseline poll");

        // Phase 1: all three run; stories arrive on every feed over time.
        var expected = new List<string>();
        var phase1Start = _clock.Elapsed;
        await PublishStoriesAsync(expected, "before");
        var killedAt = _clock.Elapsed;

        // SIGKILL the instance that holds the Telegram lease (and runs its share of the feed triggers).
        _workers[holder].Process.KillHard();
        var killedOnFake = _telegram.Elapsed;
        var getUpdatesBeforeKill = _telegram.CallCount("getUpdates");
        output.WriteLine($"killed node {holder} at {killedAt.TotalSeconds:0.0} s");

        // A command sent to the bot after the kill is answered by whichever instance took over, once.
        const long chat = 555001;
        _telegram.SendText(chat, chat, "/help", chatType: "private");

        // Phase 2: two instances left; stories keep arriving.
        await PublishStoriesAsync(expected, "after");
        var phase2End = _clock.Elapsed;

        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(40);
        while (_clock.Elapsed < deadline && !expected.All(DeliveredTitles().Contains))
        {
            await Task.Delay(200);
        }

        // Exactly once: the webhook has no nonce, so the one send the kill interrupted may have been repeated.
        var delivered = DeliveredTitles();
        var duplicates = delivered.GroupBy(t => t, StringComparer.Ordinal).Sum(g => g.Count() - 1);
        output.WriteLine($"{expected.Count} alerts expected, {delivered.Count} delivered, {duplicates} duplicates");
        var missing = expected.Where(t => !delivered.Contains(t)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} alerts never delivered: {string.Join("; ", missing)}");
        Assert.All(delivered, t => Assert.Contains(t, expected));
        Assert.True(duplicates <= 1, $"{duplicates} duplicate deliveries; at most the one in flight at the kill may repeat");

        AssertPolledOncePerInterval(phase1Start, killedAt, phase2End);

        // Telegram: never two pollers at once, and a survivor took over polling and answered the command. As on
        // Telegram, a newer long poll ends the one in flight with 409: no instance was told of a rival (the receiver
        // logs "getUpdates conflict"), and the only poll ended so is the killed holder's own, which the fake may still
        // have held open when a survivor took over.
        var reply = await _telegram.WaitForMessageAsync(m => m.ChatId == chat, TimeSpan.FromSeconds(20));
        Assert.Single(_telegram.SentTo(chat));
        Assert.Contains("/watch", reply.PlainText, StringComparison.Ordinal);
        Assert.True(_telegram.CallCount("getUpdates") > getUpdatesBeforeKill);
        output.WriteLine($"{_telegram.TerminatedPolls.Count} long polls ended by a newer one");
        Assert.All(_workers, w => Assert.DoesNotContain("getUpdates conflict", w.Process.StandardOutput + w.Process.StandardError, StringComparison.Ordinal));
        Assert.True(_telegram.TerminatedPolls.Count <= 1, $"{_telegram.TerminatedPolls.Count} long polls ended by a rival");
        Assert.All(_telegram.TerminatedPolls, p => Assert.True(p.StartedAt < killedOnFake, $"a long poll started at {p.StartedAt} was ended by a rival"));

        // The survivors report ready, one of them now polling; the schedule holds one trigger per job, no more.
        var survivors = _workers.Where((_, i) => i != holder).ToList();
        var after = await WaitForAsync(
            async () =>
            {
                var all = await Task.WhenAll(survivors.Select(w => ReadyAsync(http, w.Health)));
                return all.All(s => s.Ready) && all.Count(s => s.Telegram.StartsWith("receiving", StringComparison.Ordinal)) == 1 ? all : null;
            },
            TimeSpan.FromSeconds(20),
            "both survivors ready, one polling Telegram");
        Assert.Equal(2, after.Length);
        // One per feed, the delivery job's and retention's.
        Assert.Equal(FeedCount + 2L, await _schema.ScalarAsync<long>("SELECT count(*) FROM qrtz_triggers"));
        Assert.Equal(0L, await _schema.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE status = 'pending'"));
        Assert.All(survivors, w => Assert.False(w.Process.HasExited, w.Process.StandardError));
    }

    /// <summary>
    /// Per feed: within each phase, as many polls as intervals fit (give or take one at each edge of the window: a
    /// poll due right at a boundary falls on either side); three instances each firing every trigger would poll three
    /// times as often. Right after the kill a feed whose trigger the dead instance held skips at most the polls due
    /// before the cluster notices (check-in plus threshold), so phase 2 is counted from then on.
    /// </summary>
    private void AssertPolledOncePerInterval(TimeSpan phase1Start, TimeSpan killedAt, TimeSpan phase2End)
    {
        var recovered = killedAt + CheckIn + CheckInThreshold + Interval;
        for (var f = 0; f < FeedCount; f++)
        {
            var times = _polls[f].ToArray();
            output.WriteLine($"feed {f}: polls at {string.Join(", ", times.Select(t => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)))}");
            AssertCount(f, times, phase1Start, killedAt);
            AssertCount(f, times, recovered, phase2End);

            // Two instances firing one trigger would poll twice in the same instant.
            var closest = times.Zip(times.Skip(1), (a, b) => b - a).DefaultIfEmpty(Interval).Min();
            Assert.True(closest >= TimeSpan.FromSeconds(1), $"feed {f} was polled twice within {closest.TotalMilliseconds:0} ms");
        }
    }

    private static void AssertCount(int feed, TimeSpan[] times, TimeSpan from, TimeSpan to)
    {
        var count = times.Count(t => t >= from && t < to);
        var fit = (to - from) / Interval;
        Assert.True(
            count >= Math.Floor(fit) - 1 && count <= Math.Ceiling(fit) + 1,
            $"feed {feed}: {count} polls in {(to - from).TotalSeconds:0.0} s, expected about {fit:0.0} (one per {Interval.TotalSeconds} s)");
    }

    /// <summary>Over one phase, a new story every second, on the feeds in turn; two of three match the watchlist.</summary>
    private async Task PublishStoriesAsync(List<string> expected, string label)
    {
        var end = _clock.Elapsed + Phase;
        var n = 0;
        while (_clock.Elapsed < end)
        {
            var feed = n % FeedCount;
            var matching = n % 3 != 2;
            var title = matching
                ? $"Story {label}-{n}: Houthis strike a ship in the Red Sea"
                : $"Story {label}-{n}: markets close higher";
            lock (_gate)
            {
                _items[feed].Insert(0, new SampleItem(title, $"https://news.example/{label}/{n}", "Details follow.", DateTimeOffset.UtcNow));
            }

            if (matching)
            {
                expected.Add(title);
            }

            n++;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task ServeAsync(int feed, HttpContext context)
    {
        _polls[feed].Enqueue(_clock.Elapsed);
        string body;
        lock (_gate)
        {
            body = SampleFeeds.Rss($"Feed {feed}", [.. _items[feed]]);
        }

        context.Response.ContentType = "application/rss+xml; charset=utf-8";
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    private List<string> DeliveredTitles() =>
        _discord.MessagesIn($"webhook:{WebhookId}").Select(m => (string?)m.Body["embeds"]?[0]?["title"] ?? "").ToList();

    private Dictionary<string, string> Environment(int healthPort)
    {
        var environment = new Dictionary<string, string>
        {
            ["AlertBot__Storage__Provider"] = "Postgres",
            ["AlertBot__Storage__ConnectionString"] = _schema.ConnectionString,
            ["AlertBot__Storage__OutboxClaimLease"] = "00:00:05",
            ["AlertBot__Scheduler__ClusterCheckinInterval"] = CheckIn.ToString("c", CultureInfo.InvariantCulture),
            ["AlertBot__Scheduler__ClusterCheckinMisfireThreshold"] = CheckInThreshold.ToString("c", CultureInfo.InvariantCulture),
            ["AlertBot__Scheduler__IdleWaitTime"] = "00:00:01",
            ["AlertBot__Leases__RetryInterval"] = "00:00:01",
            ["AlertBot__Fetch__AllowedNetworks__0"] = "127.0.0.1/32", // the loopback feed server
            ["AlertBot__Delivery__Interval"] = "00:00:01",
            ["AlertBot__Discord__ApiBaseUrl"] = _discord.ApiBaseUrl,
            ["AlertBot__Discord__Webhooks__0"] = $"{_discord.ApiBaseUrl}/webhooks/{WebhookId}/{WebhookToken}",
            ["AlertBot__Telegram__Token"] = _telegram.Token,
            ["AlertBot__Telegram__ApiBaseUrl"] = _telegram.BaseUrl,
            ["AlertBot__Telegram__PollTimeout"] = "00:00:02",
            ["AlertBot__Telegram__RequestTimeout"] = "00:00:05",
            ["AlertBot__Health__Urls"] = $"http://127.0.0.1:{healthPort}",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__AlertBot"] = "Information",
        };
        for (var f = 0; f < FeedCount; f++)
        {
            environment[$"AlertBot__Polling__Feeds__{f}__Url"] = _feeds.Url(FeedPath(f));
            environment[$"AlertBot__Polling__Feeds__{f}__Name"] = $"Feed {f}";
            environment[$"AlertBot__Polling__Feeds__{f}__Interval"] = Interval.ToString("c", CultureInfo.InvariantCulture);
            environment[$"AlertBot__Polling__Feeds__{f}__Backfill"] = "0";
        }

        return environment;
    }

    private static string FeedPath(int feed) => $"/feed{feed}";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record NodeState(bool Ready, string Telegram);

    private static async Task<NodeState> ReadyAsync(HttpClient http, Uri health)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(health, "/readyz"));
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            return new NodeState(response.StatusCode == HttpStatusCode.OK, (string?)json?["checks"]?["telegram"]?["detail"] ?? "");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return new NodeState(false, $"unreachable: {ex.GetType().Name}");
        }
    }

    private async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
        where T : class
    {
        var deadline = _clock.Elapsed + timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (_clock.Elapsed > deadline)
            {
                foreach (var (process, _) in _workers)
                {
                    output.WriteLine(process.StandardError);
                }

                Assert.Fail($"Timed out waiting for {what}.");
            }

            await Task.Delay(200);
        }
    }
}
