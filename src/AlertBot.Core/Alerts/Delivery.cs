using AlertBot.Core.Channels;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;

namespace AlertBot.Core.Alerts;

/// <summary>What an outbox row asks of a sink.</summary>
public enum OutboxKind
{
    /// <summary>Post a new message.</summary>
    Alert,

    /// <summary>
    /// Show <see cref="OutboxEntry.Message"/> in place of the already posted alert <see cref="OutboxEntry.RefersTo"/>
    /// (a later source joined its story): an edit where the platform allows, else a short follow-up.
    /// </summary>
    Update,

    /// <summary>Post a digest: <see cref="AlertMessage.Digest"/> lists the stories.</summary>
    Digest,
}

/// <summary>An alert waiting in the outbox for one channel.</summary>
/// <param name="RefersTo">For an update: the outbox id of the alert it edits.</param>
/// <param name="RefersToMessageId">For an update: the platform's id of that alert's message, once it was posted.</param>
public sealed record OutboxEntry(
    long Id,
    long ChannelId,
    ChannelRef Channel,
    string ItemKey,
    AlertMessage Message,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    OutboxKind Kind = OutboxKind.Alert,
    long? RefersTo = null,
    string? RefersToMessageId = null)
{
    /// <summary>Stable across retries and restarts of this database (it is the row id): a label for logs and the console.</summary>
    public string IdempotencyKey => $"alert-{Id}";

    /// <summary>
    /// Names this alert in its channel independently of any database: derived from the channel and the item, so it is
    /// the same after a database reset or restore and on a second database serving the same channel. A sink that can
    /// read back what it posted (Discord) stores it in the message and, after a send with an unknown outcome, looks for
    /// it before posting again.
    /// </summary>
    public string DeliveryMarker => DeliveryMarkers.For(Channel, ItemKey, Kind);
}

/// <summary>The database-independent marker of <see cref="OutboxEntry.DeliveryMarker"/>.</summary>
public static class DeliveryMarkers
{
    /// <summary>The prefix every marker starts with, so a reader can tell a marker from other text.</summary>
    public const string Prefix = "ab1-";

    /// <summary>"ab1-" and 20 hex digits (80 bits of SHA-256 over platform, channel, kind and item key).</summary>
    public static string For(ChannelRef channel, string itemKey, OutboxKind kind)
    {
        ArgumentNullException.ThrowIfNull(itemKey);
        var text = $"{channel.Platform}\n{channel.ExternalId}\n{kind}\n{itemKey}";
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text), hash);
        return Prefix + Convert.ToHexStringLower(hash[..10]);
    }
}

/// <summary>What a sink made of one send. Sinks return these instead of throwing for platform answers.</summary>
public abstract record DeliveryResult
{
    private DeliveryResult()
    {
    }

    /// <summary>Posted. <paramref name="MovedTo"/> is set when the platform moved the chat (Telegram group → supergroup).</summary>
    public sealed record Delivered(string? PlatformMessageId, ChannelRef? MovedTo = null) : DeliveryResult;

    /// <summary>Not posted, try again; <paramref name="After"/> is the platform's own wait when it gave one.</summary>
    public sealed record Retry(string Reason, TimeSpan? After = null) : DeliveryResult
    {
        /// <summary>
        /// The platform answered and refused this message (a 4xx other than a rate limit or a gone chat): the fault
        /// lies with this alert, not with the platform, so repeated refusals park it (see <see cref="Pipeline.DeliveryOptions.MaxAttempts"/>).
        /// </summary>
        public bool Rejected { get; init; }
    }

    /// <summary>
    /// The request may have reached the platform and the answer was lost (a timeout, a connection cut after the request
    /// went out): retried like <see cref="Retry"/>, and counted apart. A sink that can check what it posted looks before
    /// it sends again; one that cannot accepts at most one duplicate per unknown outcome.
    /// </summary>
    public sealed record Unknown(string Reason) : DeliveryResult;

    /// <summary>The chat is gone or refuses us (blocked, kicked, deleted): retrying cannot help.</summary>
    public sealed record ChannelGone(string Reason) : DeliveryResult;
}

/// <summary>A chat platform's sending side: one per platform, rate limits are its own business.</summary>
public interface IAlertSink
{
    /// <summary>The <see cref="ChannelRef.Platform"/> this sink delivers to.</summary>
    string Platform { get; }

    Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the posted message <paramref name="platformMessageId"/> (the one <see cref="DeliverAsync"/> returned for
    /// the alert <see cref="OutboxEntry.RefersTo"/>) with <see cref="OutboxEntry.Message"/>. A platform that cannot edit,
    /// or a message that is gone, gets a short follow-up instead; the default does only that.
    /// </summary>
    Task<DeliveryResult> EditAsync(OutboxEntry entry, string platformMessageId, CancellationToken cancellationToken) =>
        DeliverAsync(entry with { Message = StoryMessages.FollowUp(entry.Message) }, cancellationToken);
}
