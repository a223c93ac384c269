using System.Globalization;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace AlertBot.Worker.Scheduling;

/// <summary>
/// Keeps Quartz's schedule equal to the feeds in the store: one poll job per feed on its own interval, starting at a
/// random offset so feeds spread out; feeds added from chat are picked up within <see cref="SyncInterval"/>.
/// Also schedules the delivery job.
/// </summary>
public sealed partial class FeedScheduleService(
    ISchedulerFactory schedulers,
    IAlertStore store,
    IOptions<PollingOptions> polling,
    IOptions<DeliveryOptions> delivery,
    TimeProvider time,
    ILogger<FeedScheduleService> logger) : BackgroundService
{
    internal static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(15);
    private const string IntervalKey = "intervalTicks";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var scheduler = await schedulers.GetScheduler(stoppingToken);
        await ScheduleDeliveryAsync(scheduler, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SyncAsync(scheduler, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogSyncFailed(ex);
            }

            try
            {
                await Task.Delay(SyncInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ScheduleDeliveryAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        if (await scheduler.GetJobDetail(DeliverAlertsJob.Key, cancellationToken) is not null)
        {
            return;
        }

        var job = JobBuilder.Create<DeliverAlertsJob>().WithIdentity(DeliverAlertsJob.Key).Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity("deliver-alerts", "delivery")
            .ForJob(job)
            .StartNow()
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(delivery.Value.Interval).RepeatForever())
            .Build();
        await scheduler.ScheduleJob(job, trigger, cancellationToken: cancellationToken);
    }

    internal async Task SyncAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        var feeds = await store.ListFeedsAsync(cancellationToken);
        var wanted = new HashSet<JobKey>();
        foreach (var feed in feeds)
        {
            var key = PollFeedJob.KeyFor(feed.Id);
            wanted.Add(key);
            var existing = await scheduler.GetJobDetail(key, cancellationToken);
            if (existing is not null &&
                existing.JobDataMap.TryGetValue(IntervalKey, out var ticks) &&
                Convert.ToInt64(ticks, CultureInfo.InvariantCulture) == feed.Interval.Ticks)
            {
                continue;
            }

            if (existing is not null)
            {
                await scheduler.DeleteJob(key, cancellationToken);
            }

            await ScheduleFeedAsync(scheduler, key, feed, cancellationToken);
        }

        foreach (var stale in (await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(PollFeedJob.Group), cancellationToken))
                     .Where(k => !wanted.Contains(k)))
        {
            await scheduler.DeleteJob(stale, cancellationToken);
            LogUnscheduled(stale.Name);
        }
    }

    private async Task ScheduleFeedAsync(IScheduler scheduler, JobKey key, FeedRecord feed, CancellationToken cancellationToken)
    {
        // The first poll comes soon, spread over a jitter window so that a host with many feeds does not fire them all at once.
#pragma warning disable CA5394 // Spreading load, not security.
        var offset = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * feed.Interval.TotalMilliseconds * polling.Value.Jitter);
#pragma warning restore CA5394
        var job = JobBuilder.Create<PollFeedJob>()
            .WithIdentity(key)
            .UsingJobData(PollFeedJob.FeedIdKey, feed.Id)
            .UsingJobData(IntervalKey, feed.Interval.Ticks)
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(key.Name, PollFeedJob.Group)
            .ForJob(job)
            .StartAt(time.GetUtcNow() + offset)
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(feed.Interval).RepeatForever())
            .Build();
        await scheduler.ScheduleJob(job, trigger, cancellationToken: cancellationToken);
        LogScheduled(feed.Id, feed.Name, feed.Interval, offset);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {FeedId} ({FeedName}) scheduled every {Interval}, first poll in {Offset}")]
    private partial void LogScheduled(long feedId, string feedName, TimeSpan interval, TimeSpan offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Poll job {Job} removed: its feed is gone")]
    private partial void LogUnscheduled(string job);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not synchronise the feed schedule; will try again")]
    private partial void LogSyncFailed(Exception exception);
}
