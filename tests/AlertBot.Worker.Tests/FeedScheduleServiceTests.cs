using AlertBot.Core.Persistence;
using AlertBot.Storage;
using AlertBot.Worker.Hosting;
using AlertBot.Worker.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace AlertBot.Worker.Tests;

/// <summary>The Quartz schedule follows the feeds in the store: one poll job per feed, on that feed's interval.</summary>
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

    private static async Task<TimeSpan> IntervalOfAsync(IScheduler scheduler, JobKey job)
    {
        var detail = await scheduler.GetJobDetail(job, CancellationToken.None);
        Assert.NotNull(detail);
        Assert.True(detail.JobDataMap.TryGetValue("intervalTicks", out var ticks));
        return TimeSpan.FromTicks(Convert.ToInt64(ticks, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Every_feed_gets_one_poll_job_on_its_own_interval_and_a_changed_interval_is_rescheduled()
    {
        var store = _host.Services.GetRequiredService<DapperAlertStore>();
        var added = await store.UpsertFeedAsync(
            new FeedDefinition("https://news.example/rss", "Example", TimeSpan.FromMinutes(2)), DateTimeOffset.UtcNow, CancellationToken.None);
        var scheduler = await SchedulerAsync();
        var sut = CreateSut();

        await sut.SyncAsync(scheduler, CancellationToken.None);
        await sut.SyncAsync(scheduler, CancellationToken.None); // idempotent

        var jobs = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(PollFeedJob.Group), CancellationToken.None);
        Assert.Equal(2, jobs.Count); // the seed feed from configuration, and the one added
        Assert.Equal(TimeSpan.FromMinutes(5), await IntervalOfAsync(scheduler, PollFeedJob.KeyFor(1)));
        Assert.Equal(TimeSpan.FromMinutes(2), await IntervalOfAsync(scheduler, PollFeedJob.KeyFor(added.Id)));

        await store.UpsertFeedAsync(
            new FeedDefinition("https://news.example/rss", "Example", TimeSpan.FromMinutes(30)), DateTimeOffset.UtcNow, CancellationToken.None);
        await sut.SyncAsync(scheduler, CancellationToken.None);
        Assert.Equal(TimeSpan.FromMinutes(30), await IntervalOfAsync(scheduler, PollFeedJob.KeyFor(added.Id)));
        Assert.Equal(2, (await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(PollFeedJob.Group), CancellationToken.None)).Count);
    }
}
