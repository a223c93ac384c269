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
    IRetentionStore? store = null)
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
        metrics.Pruned(result.SeenItems, result.OutboxRows);
        if (result.SeenItems + result.OutboxRows > 0)
        {
            LogPruned(result.SeenItems, result.OutboxRows, olderThan);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention pruned {SeenItems} seen items and {OutboxRows} delivered or closed alerts from before {OlderThan:u}")]
    private partial void LogPruned(int seenItems, int outboxRows, DateTimeOffset olderThan);
}
