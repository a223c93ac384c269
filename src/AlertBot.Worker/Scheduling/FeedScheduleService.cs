using System.Globalization;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace AlertBot.Worker.Scheduling;

/// <summary>
/// Keeps the poll schedule equal to the feeds in the store: each feed on its own interval, first polls spread over
/// the interval (<see cref="FirstPollDelay"/>); feeds added from chat are picked up within <see cref="SyncInterval"/>.
/// A single instance (SQLite) schedules its polls in process (<see cref="PollQueue"/>); instances sharing PostgreSQL
/// keep one Quartz job per feed in the clustered store. Also schedules the delivery job.
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
    IFeedStore store,
    IOptions<PollingOptions> polling,
    IOptions<DeliveryOptions> delivery,
    TimeProvider time,
    ILogger<FeedScheduleService> logger,
    PollQueue? queue = null) : BackgroundService
{
    internal static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(15);

    /// <summary>Every this many syncs (about 10 minutes) the whole schedule is read back from Quartz.</summary>
    internal const int FullReconcileEvery = 40;

    private const string IntervalKey = "intervalTicks";

    // Only the sync loop touches these (one sync at a time).
    private readonly Dictionary<long, TimeSpan> _scheduled = [];
    private int _syncs;
    private string? _listedVersion;

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

    /// <summary>
    /// Brings the schedule in line with the store. Incremental: a feed whose interval this instance already scheduled
    /// costs a dictionary look-up, not a call into Quartz (which copies the job on every read); the scheduler itself is
    /// read in full on the first sync and every <see cref="FullReconcileEvery"/>th, which also repairs anything changed
    /// behind this instance's back.
    /// </summary>
    internal async Task SyncAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        if (queue is not null)
        {
            await SyncQueueAsync(queue, cancellationToken);
            return;
        }

        var feeds = await store.ListFeedsAsync(cancellationToken);
        var full = _syncs % FullReconcileEvery == 0;
        _syncs++;
        var now = time.GetUtcNow();
        var wanted = new HashSet<long>(feeds.Count);
        var changed = new List<(FeedRecord Feed, JobKey Key, bool Replace, TimeSpan Interval)>();
        foreach (var feed in feeds)
        {
            wanted.Add(feed.Id);
            var interval = IntervalOf(feed);
            if (!full && _scheduled.TryGetValue(feed.Id, out var known) && known == interval)
            {
                continue;
            }

            var key = PollFeedJob.KeyFor(feed.Id);
            var existing = await scheduler.GetJobDetail(key, cancellationToken);
            if (existing is null || IntervalOf(existing) != interval)
            {
                changed.Add((feed, key, existing is not null, interval));
            }
            else
            {
                _scheduled[feed.Id] = interval;
            }
        }

        // How many first polls this sync spreads out: a few come at once, thousands over their interval.
        var due = changed.Count(c => IsDueNow(c.Feed, now));
        foreach (var (feed, key, replace, interval) in changed)
        {
            await ScheduleFeedAsync(scheduler, key, feed, replace, FirstPollDelay(feed, now, due), cancellationToken);
            _scheduled[feed.Id] = interval;
        }

        IEnumerable<JobKey> candidates = full
            ? await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(PollFeedJob.Group), cancellationToken)
            : _scheduled.Keys.Where(id => !wanted.Contains(id)).Select(PollFeedJob.KeyFor).ToList();
        foreach (var stale in candidates)
        {
            if (PollFeedJob.FeedIdOf(stale) is not { } feedId || wanted.Contains(feedId))
            {
                continue;
            }

            // Asked again, one feed at a time: another instance may have added it since this list was read.
            if (await store.GetFeedAsync(feedId, cancellationToken) is not null)
            {
                continue;
            }

            _scheduled.Remove(feedId);
            if (await scheduler.DeleteJob(stale, cancellationToken))
            {
                LogUnscheduled(stale.Name);
            }
        }
    }

    /// <summary>
    /// The same for the in-process schedule, which is this instance's alone: what it holds is what it scheduled, so
    /// a sync reads the feed list only when the store's schedule version moved (and every
    /// <see cref="FullReconcileEvery"/>th time), and only new feeds, changed intervals and removed feeds cost more.
    /// </summary>
    private async Task SyncQueueAsync(PollQueue polls, CancellationToken cancellationToken)
    {
        // Most syncs find nothing changed: an aggregate the database computes says so without reading 20,000 feeds out.
        var full = _syncs++ % FullReconcileEvery == 0;
        var version = await store.GetScheduleVersionAsync(cancellationToken);
        if (!full && version == _listedVersion)
        {
            return;
        }

        var feeds = await store.ListFeedsAsync(cancellationToken);
        var now = time.GetUtcNow();
        var wanted = new HashSet<long>(feeds.Count);
        var changed = new List<FeedRecord>();
        foreach (var feed in feeds)
        {
            wanted.Add(feed.Id);
            if (polls.IntervalOf(feed.Id) != IntervalOf(feed))
            {
                changed.Add(feed);
            }
        }

        var due = changed.Count(feed => IsDueNow(feed, now));
        foreach (var feed in changed)
        {
            var offset = FirstPollDelay(feed, now, due);
            var interval = IntervalOf(feed);
            polls.Schedule(feed.Id, interval, now + offset);
            LogScheduled(feed.Id, feed.Name, interval, offset);
        }

        _listedVersion = version;
        if (polls.Count == wanted.Count)
        {
            return; // every scheduled feed is wanted: nothing to remove
        }

        foreach (var feedId in polls.FeedIds())
        {
            if (!wanted.Contains(feedId) && polls.Unschedule(feedId))
            {
                LogFeedUnscheduled(feedId);
            }
        }
    }

    /// <summary>
    /// When a feed's first poll of this schedule comes. A feed polled before keeps its rhythm: its next poll when due,
    /// so restarts neither poll it early nor push it back. New or overdue feeds get random points of a window that grows
    /// with their number up to their whole interval, so thousands of feeds spread evenly instead of crowding into a
    /// burst that every later cycle repeats, and a handful poll at once. With no jitter nothing is random: new and
    /// overdue feeds at once.
    /// </summary>
    /// <param name="dueNow">How many feeds of this sync are new or overdue (<see cref="IsDueNow"/>): their first polls
    /// are spread over <see cref="FirstPollSpacing"/> each, at most one interval, so a first start with the seed feed or a
    /// feed pack polls within a second or two while twenty thousand feeds still spread over their whole interval.</param>
    internal TimeSpan FirstPollDelay(FeedRecord feed, DateTimeOffset now, int dueNow)
    {
        var jitter = polling.Value.Jitter;
        var interval = IntervalOf(feed);
#pragma warning disable CA5394 // Spreading load, not security.
        if (!IsDueNow(feed, now))
        {
            var due = feed.LastPolledAt!.Value + interval - now;
            return due + interval * (jitter * Random.Shared.NextDouble());
        }

        var window = TimeSpan.FromTicks(Math.Min(interval.Ticks, FirstPollSpacing.Ticks * Math.Max(1, dueNow)));
        return jitter == 0 ? TimeSpan.Zero : window * Random.Shared.NextDouble();
#pragma warning restore CA5394
    }

    /// <summary>The average gap between the first polls of feeds that are new or overdue together (about 7 a second).</summary>
    internal static readonly TimeSpan FirstPollSpacing = TimeSpan.FromMilliseconds(150);

    /// <summary>Never polled, or overdue (the process was down): its first poll of this schedule is spread, not timed.</summary>
    private bool IsDueNow(FeedRecord feed, DateTimeOffset now) =>
        feed.LastPolledAt is not { } last || last > now || last + IntervalOf(feed) <= now;

    /// <summary>The feed's own interval, or the configured default for a feed that was never given one.</summary>
    private TimeSpan IntervalOf(FeedRecord feed) => feed.IntervalOr(polling.Value.DefaultInterval);

    private async Task ScheduleFeedAsync(
        IScheduler scheduler, JobKey key, FeedRecord feed, bool replace, TimeSpan offset, CancellationToken cancellationToken)
    {
        var interval = IntervalOf(feed);
        var job = JobBuilder.Create<PollFeedJob>()
            .WithIdentity(key)
            .UsingJobData(PollFeedJob.FeedIdKey, Text(feed.Id))
            .UsingJobData(IntervalKey, Text(interval.Ticks))
            .Build();
        var trigger = PollTrigger(job, interval, time.GetUtcNow() + offset, time);
        if (await AddOrReplaceAsync(scheduler, job, trigger, replace, cancellationToken))
        {
            LogScheduled(feed.Id, feed.Name, interval, offset);
        }
    }

    /// <summary>
    /// A feed's poll trigger. A poll the scheduler could not start in time (a misfire) runs as soon as it can, and
    /// the feed's rhythm restarts from then: the default for a repeating trigger skipped to the next interval, so on
    /// a busy machine feeds went unpolled for whole intervals, silently.
    /// </summary>
    internal static ITrigger PollTrigger(IJobDetail job, TimeSpan interval, DateTimeOffset startAt, TimeProvider clock) =>
        TriggerBuilder.Create(clock)
            .WithIdentity(job.Key.Name, PollFeedJob.Group)
            .ForJob(job)
            .StartAt(startAt)
            .WithSchedule(SimpleScheduleBuilder.Create()
                .WithInterval(interval)
                .RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount))
            .Build();

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

    // Debug: at start this is one line per feed, thousands of them.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed {FeedId} ({FeedName}) scheduled every {Interval}, first poll in {Offset}")]
    private partial void LogScheduled(long feedId, string feedName, TimeSpan interval, TimeSpan offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Poll job {Job} removed: its feed is gone")]
    private partial void LogUnscheduled(string job);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {FeedId} no longer polled: it is gone")]
    private partial void LogFeedUnscheduled(long feedId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not synchronise the feed schedule; will try again")]
    private partial void LogSyncFailed(Exception exception);
}
