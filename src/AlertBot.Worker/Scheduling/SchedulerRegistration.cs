using AlertBot.Core.Configuration;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Retention;
using AlertBot.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace AlertBot.Worker.Scheduling;

public static class SchedulerRegistration
{
    /// <summary>The Quartz scheduler name every node of one deployment shares: the cluster is the rows under it.</summary>
    public const string SchedulerName = "AlertBot";

    /// <summary>How late a trigger may fire before it counts as misfired: the database store's default.</summary>
    internal static readonly TimeSpan MisfireThreshold = TimeSpan.FromMinutes(1);

    /// <summary>Job slots beyond the polls: the delivery job, and one to spare.</summary>
    private const int ExtraJobSlots = 2;

    /// <summary>
    /// Quartz with the store the storage provider calls for: on PostgreSQL the clustered ADO.NET job store in the
    /// same database (its tables created at start when missing), so any number of instances share one schedule and
    /// each trigger fires on exactly one of them; on SQLite, one instance by design, the in-memory store for the
    /// periodic jobs and the <see cref="PollQueue"/> for the feeds.
    /// </summary>
    public static IServiceCollection AddAlertBotScheduler(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        services.AddValidatedOptions<SchedulerOptions>(configuration.GetSection(SchedulerOptions.Section));
        var options = configuration.GetSection(SchedulerOptions.Section).Get<SchedulerOptions>() ?? new SchedulerOptions();
        var polling = configuration.GetSection(PollingOptions.Section).Get<PollingOptions>() ?? new PollingOptions();
        var retention = configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
        services.AddSingleton<PollTimekeeper>();

        // 304s of healthy feeds written once a second, together (the poll service takes them when registered).
        services.AddSingleton<PollStamps>();
        services.AddHostedService<PollStampFlusher>();
        if (!storage.IsPostgres)
        {
            // One instance: its feed polls are scheduled in process (a few dozen bytes per feed), not as Quartz jobs.
            services.AddSingleton<PollQueue>();
            services.AddHostedService(sp => sp.GetRequiredService<PollQueue>());
        }

        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(s => s.InstanceName = SchedulerName);

            // Polls wait on the network, not on a core: Quartz's default of 10 jobs at once left thousands of feeds
            // queued behind a few slow servers. The delivery job gets a slot of its own on top.
            quartz.UseDefaultThreadPool(pool => pool.MaxConcurrency = Math.Max(1, polling.MaxConcurrentPolls) + ExtraJobSlots);
            quartz.AddTriggerListener<PollTimekeeper>([GroupMatcher<TriggerKey>.GroupEquals(PollFeedJob.Group)]);

            if (retention.Enabled && retention.Interval > TimeSpan.Zero) // a bad interval is reported by validation, by key
            {
                // Declared here rather than synced like the feeds: one job whose schedule only the configuration sets
                // (in a cluster the last instance to start writes it, and one node runs each firing).
                quartz.ScheduleJob<PruneJob>(
                    trigger => trigger.WithIdentity(PruneJob.Key.Name, PruneJob.Key.Group).StartNow()
                        .WithSimpleSchedule(s => s.WithInterval(retention.Interval).RepeatForever()),
                    job => job.WithIdentity(PruneJob.Key));
            }

            if (!storage.IsPostgres)
            {
                // A poll more than this overdue counts as missed (and then runs at once, see FeedScheduleService);
                // the store's default of 5 s turned every short stall of a busy machine into a skipped poll.
                quartz.UseInMemoryStore(store => store.MisfireThreshold = MisfireThreshold);
                return;
            }

            quartz.ConfigureScheduler(s => s.IdleWaitTime = options.IdleWaitTime);
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(storage.ConnectionString);

                // Job data as name/value strings: readable in the database, and no serializer to keep compatible
                // between versions of AlertBot running side by side in one cluster.
                store.ConfigureStore(o =>
                {
                    o.StoreJobDataAsStrings = true;
                    o.TablePrefix = options.TablePrefix;
                });

                // Creates only what is missing; several nodes starting at once is a race Quartz settles itself.
                store.ProvisionSchema();
                store.ConfigureStore(o => o.MisfireThreshold = MisfireThreshold);
                store.UseClustering(c =>
                {
                    c.CheckinInterval = options.ClusterCheckinInterval;
                    c.CheckinMisfireThreshold = options.ClusterCheckinMisfireThreshold;
                });
            });
        });
        return services;
    }
}
