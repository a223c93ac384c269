using AlertBot.Core.Actions;
using AlertBot.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Retention;

/// <summary>
/// Keeps the database from only growing: prunes what is older than <see cref="RetentionOptions.MaxAge"/> (see
/// <see cref="IRetentionStore.PruneAsync"/>). Run on a schedule by the worker.
/// </summary>
/// <remarks>Without an <see cref="IRetentionStore"/> (a provider that cannot prune) nothing is pruned.</remarks>
public sealed partial class RetentionService(
    IOptions<RetentionOptions> options,
    TimeProvider time,
    AlertBotMetrics metrics,
    ILogger<RetentionService> logger,
    IRetentionStore? store = null,
    IAlertActionStore? actions = null)
{
    public async Task<PruneResult> PruneAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || store is null)
        {
            return new PruneResult(0, 0);
        }

        var olderThan = time.GetUtcNow() - settings.MaxAge;
        var result = await store.PruneAsync(olderThan, cancellationToken);
        if (actions is not null)
        {
            // Trend counts and mutes age out with the alerts they describe.
            result = result with { ActionRows = await actions.PruneActionsAsync(olderThan, cancellationToken) };
        }

        metrics.Pruned(result.SeenItems, result.OutboxRows);
        if (result.SeenItems + result.OutboxRows + result.ActionRows > 0)
        {
            LogPruned(result.SeenItems, result.OutboxRows, result.ActionRows, olderThan);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Retention pruned {SeenItems} seen items, {OutboxRows} delivered or closed alerts and {ActionRows} trend counts and mutes from before {OlderThan:u}")]
    private partial void LogPruned(int seenItems, int outboxRows, int actionRows, DateTimeOffset olderThan);
}
