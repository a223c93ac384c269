namespace AlertBot.Core.Diagnostics;

/// <summary>One part's answer to "can you do your job now?" (database reachable, scheduler running, chat connected).</summary>
public sealed record Readiness(bool Ready, string Detail);

/// <summary>
/// A part of AlertBot that /readyz asks. Adapters register one (the Telegram poller, the Discord gateway); the worker
/// registers the database's and the scheduler's. A probe answers quickly and never throws.
/// </summary>
public interface IReadinessProbe
{
    string Name { get; }

    Task<Readiness> CheckAsync(CancellationToken cancellationToken);
}
