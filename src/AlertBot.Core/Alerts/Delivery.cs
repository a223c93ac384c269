using AlertBot.Core.Channels;
using AlertBot.Core.Summaries;

namespace AlertBot.Core.Alerts;

/// <summary>An alert waiting in the outbox for one channel.</summary>
public sealed record OutboxEntry(
    long Id,
    long ChannelId,
    ChannelRef Channel,
    string ItemKey,
    AlertMessage Message,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt)
{
    /// <summary>Stable across retries and restarts: platforms that de-duplicate (Discord's nonce) use it.</summary>
    public string IdempotencyKey => $"alert-{Id}";
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
    public sealed record Retry(string Reason, TimeSpan? After = null) : DeliveryResult;

    /// <summary>The chat is gone or refuses us (blocked, kicked, deleted): retrying cannot help.</summary>
    public sealed record ChannelGone(string Reason) : DeliveryResult;
}

/// <summary>A chat platform's sending side: one per platform, rate limits are its own business.</summary>
public interface IAlertSink
{
    /// <summary>The <see cref="ChannelRef.Platform"/> this sink delivers to.</summary>
    string Platform { get; }

    Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken);
}
