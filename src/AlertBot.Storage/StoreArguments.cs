using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;

namespace AlertBot.Storage;

/// <summary>The argument checks every store makes before touching its database, so the providers refuse alike.</summary>
internal static class StoreArguments
{
    /// <summary>The feed's polling interval in milliseconds, after checking the definition.</summary>
    public static long FeedIntervalMs(FeedDefinition feed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(feed.Url);
        ArgumentNullException.ThrowIfNull(feed.Name);
        var intervalMs = (long)feed.Interval.TotalMilliseconds;
        if (intervalMs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(feed), feed.Interval, $"Feed '{feed.Url}' needs a positive polling interval.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(feed.Backfill);
        return intervalMs;
    }

    public static void CheckChannelRef(ChannelRef channel)
    {
        if (string.IsNullOrWhiteSpace(channel.Platform) || string.IsNullOrWhiteSpace(channel.ExternalId))
        {
            throw new ArgumentException($"A channel needs a platform and an id (got '{channel}').", nameof(channel));
        }
    }
}
