using AlertBot.Core.Retention;
using Quartz;

namespace AlertBot.Worker.Scheduling;

/// <summary>Retention: prunes what is older than <c>AlertBot:Retention:MaxAge</c>, every <c>AlertBot:Retention:Interval</c>.</summary>
[DisallowConcurrentExecution]
public sealed class PruneJob(RetentionService retention) : IJob
{
    public static readonly JobKey Key = new("prune", "retention");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await retention.PruneAsync(cancellationToken);
}
