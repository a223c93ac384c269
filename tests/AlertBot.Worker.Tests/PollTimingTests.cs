using AlertBot.Core.Diagnostics;
using AlertBot.Core.Persistence;
using AlertBot.Worker.Hosting;
using AlertBot.Worker.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using Quartz.Extensibility;

namespace AlertBot.Worker.Tests;

/// <summary>Every feed on time: polls spread over the interval, a missed poll run at once, enough polls at once.</summary>
public sealed class PollTimingTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "alertbot-timing-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _settings = [];
    private Microsoft.AspNetCore.Builder.WebApplication? _host;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _settings["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, "alertbot.db")}";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private IServiceProvider CreateSut()
    {
        _host = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, _settings).Build();
        return _host.Services;
    }

    private static FeedScheduleService Schedule(IServiceProvider services) =>
        services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<FeedScheduleService>().Single();

    private static FeedRecord Feed(long id, DateTimeOffset? lastPolled = null) => new()
    {
        Id = id,
        Url = $"https://news.example/{id}",
        Name = $"feed {id}",
        Interval = Interval,
        LastPolledAt = lastPolled,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void New_feeds_first_polls_spread_evenly_over_the_whole_interval_with_the_default_jitter()
    {
        var sut = Schedule(CreateSut());
        var now = DateTimeOffset.UtcNow;

        var delays = Enumerable.Range(1, 2000).Select(id => sut.FirstPollDelay(Feed(id), now, dueNow: 2000)).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, Interval));
        // Ten slices of the interval each hold about a tenth (200 ± 14 on average; these bounds are 7 deviations):
        // the old rule put every first poll in the first slice.
        var slices = delays.GroupBy(d => (int)(d / Interval * 10)).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(Enumerable.Range(0, 10), slice => Assert.InRange(slices.GetValueOrDefault(slice), 100, 300));
    }

    [Fact]
    public void A_few_new_feeds_poll_within_a_second_or_two_with_the_default_jitter()
    {
        var sut = Schedule(CreateSut());
        var now = DateTimeOffset.UtcNow;

        // The seed feed alone, or a pack of eleven: the first start shows something at once, not minutes later.
        Assert.InRange(sut.FirstPollDelay(Feed(1), now, dueNow: 1), TimeSpan.Zero, FeedScheduleService.FirstPollSpacing);
        var pack = Enumerable.Range(1, 11).Select(id => sut.FirstPollDelay(Feed(id), now, dueNow: 11)).ToList();
        Assert.All(pack, d => Assert.InRange(d, TimeSpan.Zero, FeedScheduleService.FirstPollSpacing * 11));
    }

    [Fact]
    public void A_feed_polled_before_keeps_its_rhythm_and_without_jitter_a_new_feed_polls_at_once()
    {
        var sut = Schedule(CreateSut());
        var now = DateTimeOffset.UtcNow;

        // Polled a minute ago: next due in four minutes, plus at most a tenth of the interval (default jitter 0.1).
        Assert.InRange(sut.FirstPollDelay(Feed(1, now - TimeSpan.FromMinutes(1)), now, dueNow: 1), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(4.5));

        _settings["AlertBot:Polling:Jitter"] = "0";
        var exact = Schedule(CreateSut());
        Assert.Equal(TimeSpan.Zero, exact.FirstPollDelay(Feed(2), now, dueNow: 1));
        Assert.Equal(TimeSpan.FromMinutes(4), exact.FirstPollDelay(Feed(1, now - TimeSpan.FromMinutes(1)), now, dueNow: 1));
        // Overdue (the process was down): at once, not a whole interval later.
        Assert.Equal(TimeSpan.Zero, exact.FirstPollDelay(Feed(3, now - TimeSpan.FromHours(2)), now, dueNow: 1));
    }

    [Fact]
    public void A_missed_poll_runs_at_once_instead_of_waiting_for_the_next_interval()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var job = JobBuilder.Create<PollFeedJob>().WithIdentity(PollFeedJob.KeyFor(7)).Build();
        var trigger = (IOperableTrigger)FeedScheduleService.PollTrigger(job, Interval, clock.GetUtcNow(), clock);
        trigger.ComputeFirstFireTimeUtc(null);

        // The machine stalled for 12 minutes: the polls due at 12:00, 12:05 and 12:10 did not happen.
        clock.Advance(TimeSpan.FromMinutes(12));
        trigger.UpdateAfterMisfire(null);

        // Quartz's default for a repeating trigger would wait for 12:15; the poll runs now.
        Assert.Equal(clock.GetUtcNow(), trigger.NextFireTimeUtc);
    }

    [Fact]
    public async Task The_scheduler_runs_as_many_polls_at_once_as_configured_and_watches_their_timing()
    {
        _settings["AlertBot:Polling:MaxConcurrentPolls"] = "37";
        var services = CreateSut();
        var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler(CancellationToken.None);

        var metadata = await scheduler.GetMetadata(CancellationToken.None);

        Assert.Equal(39, metadata.ThreadPoolSize); // the polls, the delivery job and one spare
        Assert.Equal(37, services.GetRequiredService<PollQueue>().MaxConcurrentPolls); // single instance: polls in process
        Assert.IsType<PollTimekeeper>(scheduler.ListenerManager.GetTriggerListener(services.GetRequiredService<PollTimekeeper>().Name));
    }

    [Fact]
    public async Task A_missed_poll_is_counted_and_the_summary_becomes_a_warning_naming_the_worst()
    {
        var services = CreateSut();
        var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler(CancellationToken.None);
        var activity = services.GetRequiredService<PollActivity>();
        var timekeeper = services.GetRequiredService<PollTimekeeper>();
        var job = JobBuilder.Create<PollFeedJob>().WithIdentity(PollFeedJob.KeyFor(9)).Build();
        var scheduled = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(2);
        var trigger = (IOperableTrigger)FeedScheduleService.PollTrigger(job, Interval, scheduled, TimeProvider.System);
        trigger.ComputeFirstFireTimeUtc(null);
        await timekeeper.TriggerMisfired(trigger, scheduler);

        var summary = activity.TakeSummary();

        Assert.True(summary.Behind);
        Assert.Equal(1, summary.Missed);
        Assert.Equal("feed-9", summary.WorstLateFeed);
        Assert.InRange(summary.WorstLateness, TimeSpan.FromMinutes(2), TimeSpan.FromHours(1));
        Assert.False(activity.TakeSummary().Behind); // a new period starts clean
    }

    [Fact]
    public async Task A_poll_later_than_a_tenth_of_its_interval_is_counted_late_and_one_within_it_is_not()
    {
        var services = CreateSut();
        var activity = services.GetRequiredService<PollActivity>();
        var timekeeper = services.GetRequiredService<PollTimekeeper>();
        var job = JobBuilder.Create<PollFeedJob>().WithIdentity(PollFeedJob.KeyFor(11)).Build();
        var due = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var trigger = FeedScheduleService.PollTrigger(job, Interval, due, TimeProvider.System);
        var poll = new PollFeedJob(services.GetRequiredService<AlertBot.Core.Pipeline.PollService>());

        // 20 s late on a 5-minute interval is within the tenth (30 s); 40 s is not.
        foreach (var lateness in new[] { TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40) })
        {
            var context = JobExecutionContextBuilder.For(poll).WithJob(job).WithTrigger(trigger).FiredAt(due + lateness, due).Build();
            await timekeeper.TriggerFired(trigger, context);
        }

        var summary = activity.TakeSummary();
        Assert.Equal(1, summary.Late);
        Assert.Equal(0, summary.Missed);
        Assert.Equal(TimeSpan.FromSeconds(40), summary.WorstLateness);
        Assert.Equal("feed-11", summary.WorstLateFeed);
    }
}
