using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Testing.Feeds;
using AlertBot.Worker.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The service writes the 304s of healthy feeds together, once a second (<see cref="PollStamps"/>), through the real
/// fetcher, poll service and SQLite store; a 304 that changes more (a failing feed recovering) is written at once.
/// </summary>
public sealed class PollStampTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "alertbot-stamps-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
    private LoopbackFeedServer _server = null!;
    private WebApplication _host = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _server = await LoopbackFeedServer.StartAsync();
        _server.Set("/a", LoopbackResponse.Text(SampleFeeds.Rss("A", new SampleItem("One", "https://news.example/1"))) with { ETag = "\"a1\"" });
        _server.Set("/b", LoopbackResponse.Text(SampleFeeds.Rss("B", new SampleItem("Two", "https://news.example/2"))) with { ETag = "\"b1\"" });
        var builder = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, "alertbot.db")}",
            ["AlertBot:Console:Enabled"] = "false",
            ["AlertBot:Health:Enabled"] = "false",
            ["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.1/32",
            ["AlertBot:Polling:Feeds:0:Url"] = _server.Url("/a"),
            ["AlertBot:Polling:Feeds:1:Url"] = _server.Url("/b"),
        });
        builder.Services.AddSingleton<TimeProvider>(_time);
        _host = builder.Build();
        await _host.Services.GetRequiredService<Bootstrapper>().RunAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_healthy_feeds_304_is_written_with_the_next_batch_and_a_recovering_feeds_at_once()
    {
        var store = _host.Services.GetRequiredService<IFeedStore>();
        var polls = _host.Services.GetRequiredService<PollService>();
        var stamps = _host.Services.GetRequiredService<PollStamps>();
        var feeds = await store.ListFeedsAsync(CancellationToken.None);
        var (a, b) = (feeds.Single(f => f.Url.EndsWith("/a", StringComparison.Ordinal)), feeds.Single(f => f.Url.EndsWith("/b", StringComparison.Ordinal)));
        var t0 = _time.GetUtcNow();
        Assert.Equal(PollStatus.Baseline, (await polls.PollAsync(a.Id, CancellationToken.None)).Status);
        Assert.Equal(PollStatus.Baseline, (await polls.PollAsync(b.Id, CancellationToken.None)).Status);
        _time.Advance(TimeSpan.FromMinutes(5));
        _server.Set("/b", LoopbackResponse.WithStatus(503));
        Assert.Equal(PollStatus.Failed, (await polls.PollAsync(b.Id, CancellationToken.None)).Status);
        _server.Set("/b", LoopbackResponse.Text(SampleFeeds.Rss("B", new SampleItem("Two", "https://news.example/2"))) with { ETag = "\"b1\"" });

        _time.Advance(TimeSpan.FromMinutes(5));
        var t2 = _time.GetUtcNow();
        Assert.Equal(PollStatus.NotModified, (await polls.PollAsync(a.Id, CancellationToken.None)).Status);
        Assert.Equal(PollStatus.NotModified, (await polls.PollAsync(b.Id, CancellationToken.None)).Status);

        // The failing feed's 304 cleared its failure at once; the healthy feed's waits for the batch.
        var recovered = (await store.GetFeedAsync(b.Id, CancellationToken.None))!;
        Assert.Equal(0, recovered.ConsecutiveFailures);
        Assert.Equal(t2, recovered.LastPolledAt);
        Assert.Equal(t0, (await store.GetFeedAsync(a.Id, CancellationToken.None))!.LastPolledAt);
        Assert.Equal(1, stamps.Pending);

        Assert.Equal(1, await stamps.FlushAsync(CancellationToken.None));
        var stamped = (await store.GetFeedAsync(a.Id, CancellationToken.None))!;
        Assert.Equal(t2, stamped.LastPolledAt);
        Assert.Equal(t2, stamped.LastSuccessAt);
        Assert.Equal(0, stamps.Pending);
    }
}
