using AlertBot.Core.Summaries;

namespace AlertBot.Core.Actions;

/// <summary>An alert as a button on it finds it again: the outbox row the button names.</summary>
/// <param name="Held">Waiting for the channel's digest (never posted on its own).</param>
/// <param name="PlatformMessageId">The platform's id of the posted message, once it was posted.</param>
public sealed record AlertRef(long OutboxId, long ChannelId, AlertMessage Message, DateTimeOffset CreatedAt, bool Held, string? PlatformMessageId);

/// <summary>A watch term a channel muted until <paramref name="Until"/> (the Mute term button).</summary>
public sealed record TermMute(long ChannelId, string Term, DateTimeOffset Until);

/// <summary>
/// When a story escalates in a channel: <paramref name="Outlets"/> outlets within <paramref name="Window"/> of its first
/// alert. <paramref name="Enabled"/> false turns it off; <paramref name="RoleId"/> is a Discord role to mention.
/// </summary>
public sealed record EscalationSettings(bool Enabled, int Outlets, TimeSpan Window, string? RoleId = null)
{
    public static EscalationSettings Default { get; } = new(true, 4, TimeSpan.FromMinutes(30));
}

/// <summary>
/// The store side of acting on alerts (the buttons), burst escalation and per-term trend counts, beside
/// the other store ports in the same database. Each method is its own transaction; the trend counts are
/// written by <see cref="Persistence.IPollStore.CommitPollAsync"/> from <see cref="Persistence.PollCommit.TermHits"/>.
/// </summary>
public interface IAlertActionStore
{
    /// <summary>The alert row <paramref name="outboxId"/>, or null when there is none (pruned, or never was).</summary>
    Task<AlertRef?> GetAlertAsync(long outboxId, CancellationToken cancellationToken);

    /// <returns>False when the story was already muted in that channel.</returns>
    Task<bool> MuteStoryAsync(long channelId, long outboxId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Which of these alert rows are muted stories.</summary>
    Task<IReadOnlySet<long>> FindMutedStoriesAsync(IReadOnlyCollection<long> outboxIds, CancellationToken cancellationToken);

    /// <summary>Mutes the term (compared case-insensitively) in the channel until <paramref name="until"/>; a later mute replaces an earlier one.</summary>
    Task MuteTermAsync(long channelId, string term, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>The term mutes of these channels still in force at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<TermMute>> ListTermMutesAsync(IReadOnlyCollection<long> channelIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The channels' escalation settings; a channel that never set them is absent (it takes <see cref="EscalationSettings.Default"/>).</summary>
    Task<IReadOnlyDictionary<long, EscalationSettings>> GetEscalationAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken);

    Task SetEscalationAsync(long channelId, EscalationSettings settings, CancellationToken cancellationToken);

    /// <summary>
    /// Retention: deletes the hourly term counts of hours before <paramref name="before"/>, story mutes made before it
    /// and term mutes that ran out before it. For the data-retention job, beside pruning the outbox.
    /// </summary>
    /// <returns>How many rows were deleted.</returns>
    Task<int> PruneActionsAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>How many fetched items matched each of the channel's terms per hour, for hours at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<TermHourCount>> ListTermCountsAsync(long channelId, DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>Items that matched <paramref name="Term"/> in a channel during the hour starting at <paramref name="Hour"/>.</summary>
public sealed record TermHourCount(long ChannelId, string Term, DateTimeOffset Hour, int Count);
