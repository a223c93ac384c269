using AlertBot.Core.Digests;
using AlertBot.Core.Persistence;
using AlertBot.Core.Summaries;

namespace AlertBot.Core.Stories;

/// <summary>An alert already queued, sent or held for a digest that later copies of its story can join.</summary>
/// <param name="Held">Waiting for the channel's digest: joining it changes the held row, and nothing is posted.</param>
public sealed record StoryAlert(long OutboxId, long ChannelId, bool Held, StoryFingerprint Story, AlertMessage Message, DateTimeOffset CreatedAt);

/// <summary>
/// A later copy of a story joined the channel's alert <paramref name="OriginalOutboxId"/>: the original row takes the
/// new message (so an alert still queued goes out complete), and unless the original is held for a digest an outbox
/// row of kind <see cref="Alerts.OutboxKind.Update"/> carries it to the platform as an edit.
/// </summary>
/// <param name="ItemKey">The new copy's item key: the update row's key, so the same copy never updates twice.</param>
public sealed record StoryUpdate(long OriginalOutboxId, long ChannelId, string ItemKey, AlertMessage Message);

/// <summary>A matched alert held for a channel's digest until <paramref name="Until"/>, the end of its period.</summary>
public sealed record HeldAlert(long OutboxId, long ChannelId, string ItemKey, AlertMessage Message, DateTimeOffset Until);

/// <summary>A new item's story, asked about one channel: which of the channel's alerts could be the same story.</summary>
public sealed record StoryProbe(long ChannelId, StoryFingerprint Story);

/// <summary>A watch term a channel marked as priority: it alerts at once even when the channel takes digests.</summary>
public sealed record PriorityTerm(long ChannelId, string Text);

/// <summary>
/// The store side of stories and digests, beside the other store ports (the same database and the same <see cref="IOutboxStore"/>).
/// Each method is its own transaction; the story columns and hold of new alerts are written by
/// <see cref="IPollStore.CommitPollAsync"/> from <see cref="NewAlert.Story"/> and <see cref="NewAlert.HoldUntil"/>, and
/// <see cref="PollCommit.Updates"/> in the same transaction.
/// </summary>
public interface IStoryStore
{
    /// <summary>The alerts (sent, queued or held, not undeliverable) of these channels created at or after <paramref name="since"/> that have a story fingerprint, oldest first.</summary>
    Task<IReadOnlyList<StoryAlert>> ListStoryAlertsAsync(IReadOnlyCollection<long> channelIds, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// The alerts (sent, queued or held, not undeliverable, created at or after <paramref name="since"/>) that could be
    /// the same story as one of the probes of their channel, oldest first: those with the probe's canonical URL, its
    /// non-empty title key, or a SimHash within <paramref name="maxDistance"/> bits of the probe's (neither being
    /// <see cref="StoryText.NoHash"/>). Looked up by indexed keys, so the cost follows the candidates, not the channel's
    /// alert volume; <see cref="StoryMatcher"/> decides among them.
    /// </summary>
    Task<IReadOnlyList<StoryAlert>> FindStoryAlertsAsync(
        IReadOnlyList<StoryProbe> probes, DateTimeOffset since, int maxDistance, CancellationToken cancellationToken);

    /// <summary>
    /// Holds the "is this a new story?" decision of these channels until the result is disposed: no other holder, in
    /// this process or (for a database several instances share) in any instance, holds any of them meanwhile. Taken
    /// before <see cref="FindStoryAlertsAsync"/> and released after the plan is committed, so two feeds of one story
    /// polled at once, here or elsewhere, cannot both find it new.
    /// </summary>
    Task<IAsyncDisposable> LockStoriesAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken);

    /// <summary>Channels without a stored mode are <see cref="DigestMode.Off"/> and may be absent from the answer.</summary>
    Task<IReadOnlyDictionary<long, DigestMode>> GetDigestModesAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken);

    Task SetDigestModeAsync(long channelId, DigestMode mode, CancellationToken cancellationToken);

    /// <returns>False when the channel has no such term (compared like <see cref="IWatchlistStore.RemoveWatchTermAsync"/>).</returns>
    Task<bool> SetTermPriorityAsync(long channelId, string text, bool priority, CancellationToken cancellationToken);

    Task<IReadOnlyList<PriorityTerm>> ListPriorityTermsAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken);

    /// <summary>Held alerts whose period has ended (<see cref="HeldAlert.Until"/> ≤ now) of active channels, oldest first.</summary>
    Task<IReadOnlyList<HeldAlert>> ListDueHeldAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// One transaction: enqueues the digest (kind <see cref="Alerts.OutboxKind.Digest"/>; its item key makes it once
    /// only) and closes the held rows as delivered by it.
    /// </summary>
    /// <returns>False when the digest's item key was already queued (another drain built it first); nothing changes then.</returns>
    Task<bool> CommitDigestAsync(NewAlert digest, IReadOnlyList<long> heldOutboxIds, DateTimeOffset now, CancellationToken cancellationToken);
}
