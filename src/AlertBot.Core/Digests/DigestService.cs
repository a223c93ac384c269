using AlertBot.Core.Stories;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Digests;

/// <summary>
/// Turns the held alerts of each ended period into one digest in the outbox, so it is sent like any alert: in
/// order, retried, never lost. Run before each outbox drain.
/// </summary>
/// <remarks>Without an <see cref="IStoryStore"/> nothing is ever held, so there is nothing to do.</remarks>
public sealed partial class DigestService(IOptions<DigestOptions> options, TimeProvider time, ILogger<DigestService> logger, IStoryStore? store = null)
{
    /// <returns>How many digests were enqueued.</returns>
    public async Task<int> EnqueueDueAsync(CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var held = await store.ListDueHeldAsync(now, cancellationToken);
        var built = 0;
        foreach (var period in held.GroupBy(h => (h.ChannelId, h.Until)))
        {
            List<HeldAlert> rows = [.. period];
            var digest = DigestBuilder.Build(period.Key.ChannelId, period.Key.Until, rows, options.Value.MaxStories);
            if (await store.CommitDigestAsync(digest, [.. rows.Select(h => h.OutboxId)], now, cancellationToken))
            {
                built++;
                LogDigest(period.Key.ChannelId, rows.Count, period.Key.Until);
            }
        }

        return built;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Digest of {Stories} stories queued for channel {ChannelId} (period ending {Until})")]
    private partial void LogDigest(long channelId, int stories, DateTimeOffset until);
}
