using AlertBot.Core.Pipeline;
using Quartz;

namespace AlertBot.Worker.Scheduling;

/// <summary>Drains the outbox; one drain at a time, so an alert is never sent by two drains at once.</summary>
[DisallowConcurrentExecution]
public sealed class DeliverAlertsJob(DeliveryService delivery) : IJob
{
    public static readonly JobKey Key = new("deliver-alerts", "delivery");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await delivery.DeliverAllDueAsync(cancellationToken);
}
