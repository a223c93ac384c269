namespace AlertBot.Core.Persistence;

/// <summary>
/// Which of a channel's feeds it has paused (<c>/feeds pause &lt;id&gt;</c>): the channel keeps the feed but gets no
/// alerts from it until it resumes it (<see cref="IChannelStore.ListDeliverableSubscribersAsync"/> leaves it out).
/// One of the store's ports; the configured database implements it.
/// </summary>
public interface IFeedPauseStore
{
    /// <returns>False when the channel does not read the feed (nothing changed).</returns>
    Task<bool> SetFeedPausedAsync(long channelId, long feedId, bool paused, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The ids of the channel's paused feeds.</summary>
    Task<IReadOnlySet<long>> ListPausedFeedsAsync(long channelId, CancellationToken cancellationToken);
}
