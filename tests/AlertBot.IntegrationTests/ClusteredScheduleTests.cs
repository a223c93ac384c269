using System.Globalization;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Storage;
using AlertBot.Testing.Fakes;
using AlertBot.Worker.Hosting;
using AlertBot.Worker.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quartz;

namespace AlertBot.IntegrationTests;

/// <summary>
/// Two instances reconciling one clustered Quartz schedule (PostgreSQL) at the same moments: one job and one trigger
/// per feed whatever the interleaving, job data that survives the ADO.NET store, and no instance unscheduling a feed
/// it has not heard of yet.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)] // Quartz clustered on PostgreSQL, several instances
public sealed class ClusteredScheduleTests : IAsyncLifetime
{
    private const int FeedCount = 3;
    private PostgresTestSchema _schema = null!;
    private WebApplication _first = null!;
    private WebApplication _second = null!;

    public async Task InitializeAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        _first = Build();
        _second = Build();
        await _first.Services.GetRequiredService<Bootstrapper>().RunAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in new[] { _first, _second })
        {
            var scheduler = await Scheduler(host);
            await scheduler.Shutdown(waitForJobsToComplete: false);
            await host.DisposeAsync();
        }

        await _schema.DisposeAsync();
    }

    private WebApplication Build()
    {
        var config = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:Provider"] = "Postgres",
            ["AlertBot:Storage:ConnectionString"] = _schema.ConnectionString,
            ["AlertBot:Health:Enabled"] = "false",
            ["AlertBot:Console:Enabled"] = "false",
        };
        for (var f = 0; f < FeedCount; f++)
        {
            config[$"AlertBot:Polling:Feeds:{f}:Url"] = $"https://news.example/{f}.xml";
        }

        return AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, config).Build();
    }

    private static Task<IScheduler> Scheduler(WebApplication host) =>
        host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(CancellationToken.None).AsTask();

    private static FeedScheduleService Service(WebApplication host, IFeedStore? store = null) => new(
        host.Services.GetRequiredService<ISchedulerFactory>(),
        store ?? host.Services.GetRequiredService<IFeedStore>(),
        host.Services.GetRequiredService<IOptions<PollingOptions>>(),
        host.Services.GetRequiredService<IOptions<DeliveryOptions>>(),
        TimeProvider.System,
        NullLogger<FeedScheduleService>.Instance);

    [Fact]
    public async Task Concurrent_reconciliation_leaves_one_job_and_one_trigger_per_feed()
    {
        var first = await Scheduler(_first);
        var second = await Scheduler(_second);
        var one = Service(_first);
        var two = Service(_second);

        for (var round = 0; round < 5; round++)
        {
            await Task.WhenAll(
                one.SyncAsync(first, CancellationToken.None),
                two.SyncAsync(second, CancellationToken.None),
                one.ScheduleDeliveryAsync(first, CancellationToken.None),
                two.ScheduleDeliveryAsync(second, CancellationToken.None));
        }

        var feeds = await _first.Services.GetRequiredService<DapperAlertStore>().ListFeedsAsync(CancellationToken.None);
        var jobs = await second.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(PollFeedJob.Group), CancellationToken.None);
        Assert.Equal(feeds.Select(f => PollFeedJob.KeyFor(f.Id)).OrderBy(k => k.Name), jobs.OrderBy(k => k.Name));
        foreach (var feed in feeds)
        {
            // Read back through the other node: the job data came through the database as strings.
            var job = await first.GetJobDetail(PollFeedJob.KeyFor(feed.Id), CancellationToken.None);
            Assert.Equal(feed.Id.ToString(CultureInfo.InvariantCulture), job!.JobDataMap.GetString(PollFeedJob.FeedIdKey));
            Assert.Single(await first.GetTriggersOfJob(job.Key, CancellationToken.None));
        }

        Assert.Single(await second.GetTriggersOfJob(DeliverAlertsJob.Key, CancellationToken.None));
        // One per feed, the delivery job's, and retention's (declared at start, not reconciled).
        Assert.Equal(FeedCount + 2L, await _schema.ScalarAsync<long>("SELECT count(*) FROM qrtz_triggers"));
    }

    [Fact]
    public async Task A_feed_added_elsewhere_is_not_unscheduled_by_an_instance_with_an_older_list_but_a_deleted_one_is()
    {
        var first = await Scheduler(_first);
        var second = await Scheduler(_second);
        var store = _first.Services.GetRequiredService<DapperAlertStore>();
        var before = await store.ListFeedsAsync(CancellationToken.None);
        var added = await store.UpsertFeedAsync(
            new FeedDefinition("https://news.example/new.xml", "New", TimeSpan.FromMinutes(5)), DateTimeOffset.UtcNow, CancellationToken.None);

        await Service(_second).SyncAsync(second, CancellationToken.None);
        await Service(_first, new StaleFeedList(store, before)).SyncAsync(first, CancellationToken.None);
        Assert.NotNull(await first.GetJobDetail(PollFeedJob.KeyFor(added.Id), CancellationToken.None));

        // A poll job whose feed is gone from the store is removed.
        var orphan = PollFeedJob.KeyFor(999_999);
        await second.ScheduleJob(
            JobBuilder.Create<PollFeedJob>().WithIdentity(orphan).UsingJobData(PollFeedJob.FeedIdKey, "999999").Build(),
            TriggerBuilder.Create().WithIdentity(orphan.Name, orphan.Group).StartAt(DateTimeOffset.UtcNow.AddHours(1)).Build(),
            default,
            CancellationToken.None);
        await Service(_first).SyncAsync(first, CancellationToken.None);
        Assert.Null(await second.GetJobDetail(orphan, CancellationToken.None));
        Assert.Equal(FeedCount + 1, (await second.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(PollFeedJob.Group), CancellationToken.None)).Count);
    }

    /// <summary>A store read a moment before another instance added a feed.</summary>
    private sealed class StaleFeedList(DapperAlertStore inner, IReadOnlyList<FeedRecord> feeds) : DelegatingAlertStore(inner)
    {
        public override Task<IReadOnlyList<FeedRecord>> ListFeedsAsync(CancellationToken cancellationToken) => Task.FromResult(feeds);
    }
}
