using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using AlertBot.Storage;

namespace AlertBot.Testing.Fakes;

/// <summary>
/// Forwards every call of the store's ports to the real store; tests override single methods to inject faults.
/// Not a second implementation: whatever it does not override is the real store's.
/// </summary>
public class DelegatingAlertStore(DapperAlertStore inner) :
    IStoreMigrator, IFeedStore, IPollStore, IChannelStore, IWatchlistStore, IOutboxStore, IStateStore
{
    /// <summary>The real store underneath.</summary>
    public DapperAlertStore Inner => inner;

    public virtual Task MigrateAsync(CancellationToken cancellationToken) =>
        inner.MigrateAsync(cancellationToken);

    public virtual Task<FeedRecord> UpsertFeedAsync(FeedDefinition feed, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.UpsertFeedAsync(feed, now, cancellationToken);

    public virtual Task<bool> DeleteFeedAsync(long feedId, CancellationToken cancellationToken) =>
        inner.DeleteFeedAsync(feedId, cancellationToken);

    public virtual Task<FeedRecord?> GetFeedAsync(long feedId, CancellationToken cancellationToken) =>
        inner.GetFeedAsync(feedId, cancellationToken);

    public virtual Task<FeedRecord?> FindFeedByUrlAsync(string url, CancellationToken cancellationToken) =>
        inner.FindFeedByUrlAsync(url, cancellationToken);

    public virtual Task<IReadOnlyList<FeedRecord>> ListFeedsAsync(CancellationToken cancellationToken) =>
        inner.ListFeedsAsync(cancellationToken);

    public virtual Task<string> GetScheduleVersionAsync(CancellationToken cancellationToken) =>
        inner.GetScheduleVersionAsync(cancellationToken);

    public virtual Task RecordFeedFailureAsync(long feedId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.RecordFeedFailureAsync(feedId, reason, at, cancellationToken);

    public virtual Task RecordFeedNotModifiedAsync(long feedId, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.RecordFeedNotModifiedAsync(feedId, at, cancellationToken);

    public virtual Task RecordFeedsNotModifiedAsync(IReadOnlyCollection<FeedPollStamp> stamps, CancellationToken cancellationToken) =>
        inner.RecordFeedsNotModifiedAsync(stamps, cancellationToken);

    public virtual Task<Channel> EnsureChannelAsync(ChannelRef channel, string? title, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.EnsureChannelAsync(channel, title, now, cancellationToken);

    public virtual Task<Channel?> GetChannelAsync(ChannelRef channel, CancellationToken cancellationToken) =>
        inner.GetChannelAsync(channel, cancellationToken);

    public virtual Task<Channel?> GetChannelByIdAsync(long channelId, CancellationToken cancellationToken) =>
        inner.GetChannelByIdAsync(channelId, cancellationToken);

    public virtual Task<IReadOnlyList<Channel>> ListChannelsAsync(CancellationToken cancellationToken) =>
        inner.ListChannelsAsync(cancellationToken);

    public virtual Task SetChannelActiveAsync(long channelId, bool active, CancellationToken cancellationToken) =>
        inner.SetChannelActiveAsync(channelId, active, cancellationToken);

    public virtual Task SetChannelPausedAsync(long channelId, bool paused, CancellationToken cancellationToken) =>
        inner.SetChannelPausedAsync(channelId, paused, cancellationToken);

    public virtual Task MoveChannelAsync(long channelId, ChannelRef newRef, CancellationToken cancellationToken) =>
        inner.MoveChannelAsync(channelId, newRef, cancellationToken);

    public virtual Task<bool> AttachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken) =>
        inner.AttachFeedAsync(channelId, feedId, cancellationToken);

    public virtual Task<bool> DetachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken) =>
        inner.DetachFeedAsync(channelId, feedId, cancellationToken);

    public virtual Task<IReadOnlyList<FeedRecord>> ListChannelFeedsAsync(long channelId, CancellationToken cancellationToken) =>
        inner.ListChannelFeedsAsync(channelId, cancellationToken);

    public virtual Task<IReadOnlyList<long>> ListDeliverableSubscribersAsync(long feedId, CancellationToken cancellationToken) =>
        inner.ListDeliverableSubscribersAsync(feedId, cancellationToken);

    public virtual Task<bool> AddWatchTermAsync(long channelId, string text, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.AddWatchTermAsync(channelId, text, now, cancellationToken);

    public virtual Task<bool> RemoveWatchTermAsync(long channelId, string text, CancellationToken cancellationToken) =>
        inner.RemoveWatchTermAsync(channelId, text, cancellationToken);

    public virtual Task<IReadOnlyList<WatchTerm>> ListWatchTermsAsync(long channelId, CancellationToken cancellationToken) =>
        inner.ListWatchTermsAsync(channelId, cancellationToken);

    public virtual Task<IReadOnlyList<WatchTerm>> ListAllWatchTermsAsync(CancellationToken cancellationToken) =>
        inner.ListAllWatchTermsAsync(cancellationToken);

    public virtual Task<long> GetWatchlistVersionAsync(CancellationToken cancellationToken) =>
        inner.GetWatchlistVersionAsync(cancellationToken);

    public virtual Task<IReadOnlySet<string>> FindSeenAsync(long feedId, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken) =>
        inner.FindSeenAsync(feedId, itemKeys, cancellationToken);

    public virtual Task<PollCommitResult> CommitPollAsync(PollCommit commit, CancellationToken cancellationToken) =>
        inner.CommitPollAsync(commit, cancellationToken);

    public virtual Task<int> EnqueueAsync(IReadOnlyList<NewAlert> alerts, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.EnqueueAsync(alerts, at, cancellationToken);

    public virtual Task<IReadOnlyList<OutboxEntry>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        inner.ClaimDueAsync(now, max, cancellationToken);

    public virtual Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? platformMessageId, CancellationToken cancellationToken) =>
        inner.MarkDeliveredAsync(outboxId, at, platformMessageId, cancellationToken);

    public virtual Task MarkAttemptFailedAsync(long outboxId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        inner.MarkAttemptFailedAsync(outboxId, error, nextAttemptAt, cancellationToken);

    public virtual Task<int> MarkChannelUndeliverableAsync(long channelId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.MarkChannelUndeliverableAsync(channelId, reason, at, cancellationToken);

    public virtual Task<bool> ParkAsync(long outboxId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.ParkAsync(outboxId, reason, at, cancellationToken);

    public virtual Task<IReadOnlyList<ParkedAlert>> ListParkedAsync(CancellationToken cancellationToken) =>
        inner.ListParkedAsync(cancellationToken);

    public virtual Task<int> RequeueParkedAsync(long? outboxId, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.RequeueParkedAsync(outboxId, now, cancellationToken);

    public virtual Task<OutboxStats> GetOutboxStatsAsync(long? channelId, CancellationToken cancellationToken) =>
        inner.GetOutboxStatsAsync(channelId, cancellationToken);

    public virtual Task<string?> GetStateAsync(string key, CancellationToken cancellationToken) =>
        inner.GetStateAsync(key, cancellationToken);

    public virtual Task SetStateAsync(string key, string value, CancellationToken cancellationToken) =>
        inner.SetStateAsync(key, value, cancellationToken);
}
