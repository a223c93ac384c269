using AlertBot.Core.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace AlertBot.Worker.Scheduling;

/// <summary>
/// Fires the delivery job as soon as a poll has queued alerts, instead of leaving them for its next interval: with the
/// default interval of 2 s that wait was most of an alert's time from fetch to chat. The job does not run twice at
/// once (<see cref="DisallowConcurrentExecution"/>): a wake-up during a drain fires once that drain ends; the signal
/// coalesces wake-ups until then. In a cluster the firing may run on any node, like the interval's.
/// </summary>
internal sealed partial class DeliveryWakeUp(OutboxSignal signal, ISchedulerFactory schedulers, ILogger<DeliveryWakeUp> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        signal.Queued += OnQueued;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        signal.Queued -= OnQueued;
        return Task.CompletedTask;
    }

    // The poll that raised the signal goes on at once; the firing is the scheduler's business.
    private void OnQueued(object? sender, EventArgs e) => _ = TriggerAsync();

    private async Task TriggerAsync()
    {
        try
        {
            var scheduler = await schedulers.GetScheduler();
            if (await scheduler.GetJobDetail(DeliverAlertsJob.Key) is not null)
            {
                await scheduler.TriggerJob(DeliverAlertsJob.Key);
            }
        }
        catch (Exception ex) when (ex is SchedulerException or ObjectDisposedException or InvalidOperationException)
        {
            // The interval still drains the outbox; this wake-up only came early.
            LogNotWoken(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not fire the delivery job early ({Reason}); its interval will drain the outbox")]
    private static partial void LogNotWoken(ILogger logger, string reason);
}
