using AlertBot.Core.Channels;

namespace AlertBot.Core.Persistence;

/// <summary>
/// The chats and channels AlertBot posts to, and which feeds each reads.
/// One of the store's ports (each method is its own transaction unless it says otherwise; safe to call concurrently);
/// the configured database implements them all.
/// </summary>
public interface IChannelStore
{
    /// <summary>Returns the channel, creating it (active, not paused) when new; updates the title when given.</summary>
    Task<Channel> EnsureChannelAsync(ChannelRef channel, string? title, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Channel?> GetChannelAsync(ChannelRef channel, CancellationToken cancellationToken);

    Task<Channel?> GetChannelByIdAsync(long channelId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Channel>> ListChannelsAsync(CancellationToken cancellationToken);

    Task SetChannelActiveAsync(long channelId, bool active, CancellationToken cancellationToken);

    Task SetChannelPausedAsync(long channelId, bool paused, CancellationToken cancellationToken);

    /// <summary>The platform gave the chat a new id (Telegram group → supergroup); everything else stays.</summary>
    Task MoveChannelAsync(long channelId, ChannelRef newRef, CancellationToken cancellationToken);

    /// <returns>False when the channel already had the feed.</returns>
    Task<bool> AttachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken);

    /// <returns>False when the channel did not have the feed.</returns>
    Task<bool> DetachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken);

    Task<IReadOnlyList<FeedRecord>> ListChannelFeedsAsync(long channelId, CancellationToken cancellationToken);

    /// <summary>Ids of the channels that read the feed and are active and not paused: the ones a match can alert.</summary>
    Task<IReadOnlyList<long>> ListDeliverableSubscribersAsync(long feedId, CancellationToken cancellationToken);
}
