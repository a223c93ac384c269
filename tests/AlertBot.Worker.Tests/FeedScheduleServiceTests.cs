using AlertBot.Core.Persistence;
using AlertBot.Storage;
using AlertBot.Worker.Hosting;
using AlertBot.Worker.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace AlertBot.Worker.Tests;

/// <summary>
/// The poll schedule follows the feeds in the store: each feed once, on its own interval. A single instance (SQLite)
/// schedules polls in process (<see cref="PollQueue"/>), no Quartz job per feed; the clustered Quartz schedule of
/// PostgreSQL is covered by ClusteredScheduleTests.
/// </summary>
public sealed class FeedScheduleServiceTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "alertbot-sched-" + Guid.NewGuid().ToString("N"));
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _host = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, "alertbot.db")}",
        }).Build();
        await _host.Services.GetRequiredService<Bootstrapper>().RunAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private FeedScheduleService CreateSut() => _host.Services.GetServices<IHostedService>().OfType<FeedScheduleService>().Single();

    private async Task<IScheduler> SchedulerAsync() =>
        await _host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(CancellationToken.None);

    [Fact]
    public async Task Every_feed_is_scheduled_once_on_its_own_interval_and_a_changed_interval_is_rescheduled()
    {
        var store = _host.Services.GetRequiredService<DapperAlertStore>();
        var added = await store.UpsertFeedAsync(
            new FeedDefinition("https://news.example/rss", "Example", TimeSpan.FromMinutes(2)), DateTimeOffset.UtcNow, CancellationToken.None);
        var scheduler = await SchedulerAsync();
        var queue = _host.Services.GetRequiredService<PollQueue>();
        var sut = CreateSut();

        await sut.SyncAsync(scheduler, CancellationToken.None);
        await sut.SyncAsync(scheduler, CancellationToken.None); // idempotent

        Assert.Equal([1L, added.Id], queue.FeedIds().Order()); // the seed feed from configuration, and the one added
        Assert.Equal(TimeSpan.FromMinutes(5), queue.IntervalOf(1));
        Assert.Equal(TimeSpan.FromMinutes(2), queue.IntervalOf(added.Id));
        Assert.Empty(await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(PollFeedJob.Group), CancellationToken.None));

        await store.UpsertFeedAsync(
            new FeedDefinition("https://news.example/rss", "Example", TimeSpan.FromMinutes(30)), DateTimeOffset.UtcNow, CancellationToken.None);
        await sut.SyncAsync(scheduler, CancellationToken.None);
        Assert.Equal(TimeSpan.FromMinutes(30), queue.IntervalOf(added.Id));
        Assert.Equal(2, queue.Count);

        // A deleted feed is no longer polled.
        Assert.True(await store.DeleteFeedAsync(added.Id, CancellationToken.None));
        await sut.SyncAsync(scheduler, CancellationToken.None);
        Assert.Equal([1L], queue.FeedIds());
    }
}
