using AlertBot.Core.Persistence;

namespace AlertBot.Storage;

/// <summary><see cref="IFeedPauseStore"/> (migration 0006) in SQL both providers speak: a channel's paused feeds.</summary>
public abstract partial class DapperAlertStore : IFeedPauseStore
{
    public async Task<bool> SetFeedPausedAsync(long channelId, long feedId, bool paused, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            // A pause already in place keeps its time; resuming a feed that is not paused still finds its row.
            "UPDATE channel_feeds SET paused_at = CASE WHEN @Paused THEN coalesce(paused_at, @At) END WHERE channel_id = @ChannelId AND feed_id = @FeedId",
            new { ChannelId = channelId, FeedId = feedId, Paused = paused, At = ToDb(at) },
            cancellationToken) > 0;

    public async Task<IReadOnlySet<long>> ListPausedFeedsAsync(long channelId, CancellationToken cancellationToken) =>
        (await QueryAsync<long>(
            "SELECT feed_id FROM channel_feeds WHERE channel_id = @ChannelId AND paused_at IS NOT NULL",
            new { ChannelId = channelId },
            cancellationToken)).ToHashSet();
}
