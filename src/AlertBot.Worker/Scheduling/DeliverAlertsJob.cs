using AlertBot.Core.Pipeline;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace AlertBot.Worker.Scheduling;

/// <summary>
/// Drains the outbox; one drain at a time, so an alert is never sent by two drains at once. When the host stops, the
/// drain ends after the sends in flight: the scheduler waits for this job, and a queue held back by rate limits could
/// otherwise keep a graceful stop waiting for minutes, until the orchestrator kills the process mid-send.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DeliverAlertsJob(DeliveryService delivery, IHostApplicationLifetime lifetime) : IJob
{
    public static readonly JobKey Key = new("deliver-alerts", "delivery");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await delivery.DeliverAllDueAsync(cancellationToken, lifetime.ApplicationStopping);
}
