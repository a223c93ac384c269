using AlertBot.Core.Diagnostics;
using Quartz;

namespace AlertBot.Worker.Scheduling;

/// <summary>
/// Watches the poll triggers keep time: a poll that starts more than a tenth of its interval after its time is late,
/// and a poll time the scheduler could not keep at all (a misfire: the store found the trigger more than its misfire
/// threshold overdue) is missed. Both are counted (<c>alertbot.polls.late</c>, <c>alertbot.polls.missed</c>) and go
/// into the periodic poll summary, which is then a warning. A missed poll is not skipped: the poll triggers' misfire
/// instruction runs it at once.
/// </summary>
public sealed class PollTimekeeper(AlertBotMetrics metrics, PollActivity activity, TimeProvider time) : ITriggerListener
{
    /// <summary>Lateness a poll may have without counting as late, as a fraction of its interval.</summary>
    private const double Tolerance = 0.1;

    public string Name => "alertbot-poll-timekeeper";

    public ValueTask TriggerFired(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(context);
        if (context.ScheduledFireTimeUtc is { } scheduled && trigger is ISimpleTrigger { RepeatInterval: var interval })
        {
            var lateness = context.FireTimeUtc - scheduled;
            if (IsLate(lateness, interval))
            {
                Late(trigger.JobKey.Name, lateness);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask TriggerMisfired(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var missed = trigger.NextFireTimeUtc;
        Missed(trigger.JobKey.Name, missed is { } at ? time.GetUtcNow() - at : TimeSpan.Zero);
        return ValueTask.CompletedTask;
    }

    /// <summary>True when a poll this far behind its time counts as late.</summary>
    internal static bool IsLate(TimeSpan lateness, TimeSpan interval) => lateness > interval * Tolerance;

    /// <summary>Counts a late poll of <paramref name="job"/> (Quartz's trigger or the in-process poll queue).</summary>
    internal void Late(string job, TimeSpan lateness)
    {
        metrics.PollLate();
        activity.RecordLate(job, lateness);
    }

    /// <summary>Counts a poll time of <paramref name="job"/> that could not be kept at all.</summary>
    internal void Missed(string job, TimeSpan lateness)
    {
        metrics.PollMissed();
        activity.RecordMissed(job, lateness);
    }

    public ValueTask<bool> VetoJobExecution(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(false);

    public ValueTask TriggerSkipped(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken = default) =>
        ValueTask.CompletedTask;

    public ValueTask TriggerComplete(
        ITrigger trigger, IJobExecutionContext context, SchedulerInstruction triggerInstructionCode, CancellationToken cancellationToken = default) =>
        ValueTask.CompletedTask;

    public ValueTask TriggerRetriesExhausted(
        ITrigger trigger, IJobExecutionContext context, JobExecutionException exception, CancellationToken cancellationToken = default) =>
        ValueTask.CompletedTask;
}
