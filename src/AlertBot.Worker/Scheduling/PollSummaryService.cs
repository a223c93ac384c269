using AlertBot.Core.Diagnostics;
using AlertBot.Worker.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Worker.Scheduling;

/// <summary>
/// One line per <see cref="LoggingOptions.SummaryInterval"/> saying what the polls did, in place of a line per poll:
/// Information while every poll keeps time, Warning when some came late or were missed, naming the worst.
/// Nothing is logged for a period without polls.
/// </summary>
public sealed partial class PollSummaryService(
    PollActivity activity,
    IOptions<LoggingOptions> options,
    TimeProvider time,
    ILogger<PollSummaryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.Value.SummaryInterval, time, stoppingToken);
                Report(activity.TakeSummary());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal void Report(PollActivitySummary s)
    {
        if (s.Polls == 0 && s.BackingOff == 0 && !s.Behind)
        {
            return;
        }

        var minutes = Math.Round(s.Period.TotalMinutes, 1);
        if (s.Behind)
        {
            LogBehind(minutes, s.Polls, s.NotModified, s.Changed, s.Baseline, s.Failed, s.BackingOff, s.NewItems, s.AlertsQueued,
                s.Late, s.Missed, s.WorstLateFeed ?? "?", Math.Round(s.WorstLateness.TotalSeconds, 1));
        }
        else
        {
            LogSummary(minutes, s.Polls, s.NotModified, s.Changed, s.Baseline, s.Failed, s.BackingOff, s.NewItems, s.AlertsQueued);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Polls in the last {Minutes} min: {Polls} ({NotModified} not modified, {Changed} changed, {Baselines} baselines, " +
                  "{Failed} failed; {BackingOff} backing off), {NewItems} new items, {Alerts} alerts queued; all on time")]
    private partial void LogSummary(double minutes, long polls, long notModified, long changed, long baselines, long failed,
        long backingOff, long newItems, long alerts);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Polls in the last {Minutes} min: {Polls} ({NotModified} not modified, {Changed} changed, {Baselines} baselines, " +
                  "{Failed} failed; {BackingOff} backing off), {NewItems} new items, {Alerts} alerts queued; {Late} late and " +
                  "{Missed} missed (run at once), worst {WorstJob} {WorstSeconds} s late. The machine is short of CPU or " +
                  "AlertBot:Polling:MaxConcurrentPolls is too low for the feeds")]
    private partial void LogBehind(double minutes, long polls, long notModified, long changed, long baselines, long failed,
        long backingOff, long newItems, long alerts, long late, long missed, string worstJob, double worstSeconds);
}
