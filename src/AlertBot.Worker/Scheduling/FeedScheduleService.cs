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
/// <remarks>
/// With a clustered store every instance runs this against the one shared schedule, at the same moments after a
/// deploy. It stays correct because every step is idempotent and names its job and trigger after the feed: a second
/// instance adding the same job finds it there (<see cref="ObjectAlreadyExistsException"/>) and moves on, so there is
/// never a second trigger; a changed interval replaces job and trigger in one store transaction; and a job is removed
/// only after the store confirms its feed is gone, so an instance whose feed list is a moment old cannot unschedule a
/// feed another instance has just added. Job data is strings only, as the ADO.NET store keeps it.
/// </remarks>
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
        var deliveryScheduled = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Inside the retry loop: a database that is down for a moment at start must not stop the host.
                if (!deliveryScheduled)
                {
                    await ScheduleDeliveryAsync(scheduler, stoppingToken);
                    deliveryScheduled = true;
                }

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

    internal async Task ScheduleDeliveryAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        var interval = delivery.Value.Interval;
        var existing = await scheduler.GetJobDetail(DeliverAlertsJob.Key, cancellationToken);
        if (existing is not null && IntervalOf(existing) == interval)
        {
            return;
        }

        var job = JobBuilder.Create<DeliverAlertsJob>()
            .WithIdentity(DeliverAlertsJob.Key)
            .UsingJobData(IntervalKey, Text(interval.Ticks))
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(DeliverAlertsJob.Key.Name, DeliverAlertsJob.Key.Group)
            .ForJob(job)
            .StartNow()
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(interval).RepeatForever())
            .Build();

        // A delivery job from an instance configured with another interval is replaced: the last to start wins.
        await AddOrReplaceAsync(scheduler, job, trigger, replace: existing is not null, cancellationToken);
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
            if (existing is not null && IntervalOf(existing) == feed.IntervalOr(polling.Value.DefaultInterval))
            {
                continue;
            }

            await ScheduleFeedAsync(scheduler, key, feed, replace: existing is not null, cancellationToken);
        }

        foreach (var stale in (await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(PollFeedJob.Group), cancellationToken))
                     .Where(k => !wanted.Contains(k)))
        {
            // Asked again, one feed at a time: another instance may have added it since this list was read.
            if (PollFeedJob.FeedIdOf(stale) is { } feedId && await store.GetFeedAsync(feedId, cancellationToken) is not null)
            {
                continue;
            }

            if (await scheduler.DeleteJob(stale, cancellationToken))
            {
                LogUnscheduled(stale.Name);
            }
        }
    }

    private async Task ScheduleFeedAsync(IScheduler scheduler, JobKey key, FeedRecord feed, bool replace, CancellationToken cancellationToken)
    {
        var interval = feed.IntervalOr(polling.Value.DefaultInterval);

        // The first poll comes soon, spread over a jitter window so that a host with many feeds does not fire them all at once.
#pragma warning disable CA5394 // Spreading load, not security.
        var offset = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds * polling.Value.Jitter);
#pragma warning restore CA5394
        var job = JobBuilder.Create<PollFeedJob>()
            .WithIdentity(key)
            .UsingJobData(PollFeedJob.FeedIdKey, Text(feed.Id))
            .UsingJobData(IntervalKey, Text(interval.Ticks))
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(key.Name, PollFeedJob.Group)
            .ForJob(job)
            .StartAt(time.GetUtcNow() + offset)
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(interval).RepeatForever())
            .Build();
        if (await AddOrReplaceAsync(scheduler, job, trigger, replace, cancellationToken))
        {
            LogScheduled(feed.Id, feed.Name, interval, offset);
        }
    }

    /// <summary>
    /// Adds the job with its one trigger, or with <paramref name="replace"/> swaps both in one store transaction.
    /// False when another instance added it first, which is as good: the same job with the same trigger identity.
    /// </summary>
    private static async Task<bool> AddOrReplaceAsync(
        IScheduler scheduler, IJobDetail job, ITrigger trigger, bool replace, CancellationToken cancellationToken)
    {
        try
        {
            await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = replace }, cancellationToken);
            return true;
        }
        catch (ObjectAlreadyExistsException)
        {
            return false;
        }
    }

    private static TimeSpan? IntervalOf(IJobDetail job) =>
        job.JobDataMap.TryGetValue(IntervalKey, out var ticks) && ticks is not null &&
        long.TryParse(Convert.ToString(ticks, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? TimeSpan.FromTicks(value)
            : null;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {FeedId} ({FeedName}) scheduled every {Interval}, first poll in {Offset}")]
    private partial void LogScheduled(long feedId, string feedName, TimeSpan interval, TimeSpan offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Poll job {Job} removed: its feed is gone")]
    private partial void LogUnscheduled(string job);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not synchronise the feed schedule; will try again")]
    private partial void LogSyncFailed(Exception exception);
}
