namespace AlertBot.Core.Retention;

/// <summary>What one pruning removed.</summary>
/// <param name="ActionRows">Hourly term counts, story mutes and expired term mutes (see IAlertActionStore.PruneActionsAsync).</param>
public sealed record PruneResult(int SeenItems, int OutboxRows, int ActionRows = 0);

/// <summary>The store side of retention, beside the other store ports (the same database).</summary>
public interface IRetentionStore
{
    /// <summary>
    /// Deletes, in batches (each its own transaction, so writers are never held up for long):
    /// <list type="bullet">
    /// <item>seen items last listed before <paramref name="olderThan"/> that their feed's last fetched document did
    /// not list (a feed still carrying an item keeps it seen, however old);</item>
    /// <item>outbox rows delivered or closed as undeliverable before <paramref name="olderThan"/>, with the story
    /// fingerprints they carry, unless a pending row still refers to them. Pending rows are never deleted.</item>
    /// </list>
    /// </summary>
    Task<PruneResult> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}
