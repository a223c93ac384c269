using AlertBot.Core.Diagnostics;
using AlertBot.Core.Persistence;
using Quartz;

namespace AlertBot.Worker.Health;

/// <summary>The database answers a query.</summary>
public sealed class DatabaseProbe(IStateStore store) : IReadinessProbe
{
    public string Name => "database";

    public async Task<Readiness> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.GetStateAsync("health:probe", cancellationToken);
            return new Readiness(true, "reachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The exception type only: a connection error message can carry a host name or a user.
            return new Readiness(false, $"unreachable ({ex.GetType().Name})");
        }
    }
}

/// <summary>Quartz is running (not created, in standby or shut down).</summary>
public sealed class SchedulerProbe(ISchedulerFactory schedulers) : IReadinessProbe
{
    public string Name => "scheduler";

    public async Task<Readiness> CheckAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return new Readiness(scheduler.Status == SchedulerStatus.Running, scheduler.Status.ToString().ToLowerInvariant());
    }
}
