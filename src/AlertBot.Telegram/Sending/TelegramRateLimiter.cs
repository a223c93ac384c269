using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using AlertBot.Core.RateLimits;
using Microsoft.Extensions.Options;

namespace AlertBot.Telegram.Sending;

/// <summary>
/// Keeps every message AlertBot sends (alerts and command replies) inside Telegram's limits, as a chain of
/// System.Threading.RateLimiting limiters taken in order: the chat's (one at a time, then <see cref="TelegramOptions.PerChatInterval"/>),
/// the group's or channel's (<see cref="TelegramOptions.PerGroupPerMinute"/> per <see cref="TelegramOptions.GroupWindow"/>),
/// and the bot's (<see cref="TelegramOptions.GlobalPerSecond"/> per <see cref="TelegramOptions.GlobalWindow"/>).
/// </summary>
/// <remarks>
/// A send counts from the moment its permit is taken until it completes, and its window is measured from its completion
/// (<see cref="WindowLimiter"/>): the server sees each request somewhere between those two instants, so a limit kept this
/// way on our side is also kept as the server measures it, with no safety margin to guess. The chat's permit is taken
/// first, so a chat waiting for its own turn never holds a place in the group's or the bot's window.
/// </remarks>
public sealed class TelegramRateLimiter : IDisposable
{
    private const int PenaltySweepThreshold = 1024;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _penalties = new(StringComparer.Ordinal);
    private readonly KeyedRateLimiter<string> _chats;
    private readonly KeyedRateLimiter<string> _groups;
    private readonly PartitionedRateLimiter<string> _global;
    private readonly PartitionedRateLimiter<string> _chain;
    private readonly TimeProvider _time;

    // Rises with the penalties still running after a sweep, so a burst of 429s is not answered by a walk per 429.
    private int _nextPenaltySweepAt = PenaltySweepThreshold;

    public TelegramRateLimiter(IOptions<TelegramOptions> options, TimeProvider time)
    {
        var o = options.Value;
        _time = time;
        _chats = new KeyedRateLimiter<string>(chat => new WindowLimiter(1, o.PerChatInterval, time, () => PenaltyOf(chat)), StringComparer.Ordinal);
        _groups = new KeyedRateLimiter<string>(
            chat => IsGroupLike(chat) ? new WindowLimiter(o.PerGroupPerMinute, o.GroupWindow, time) : null, StringComparer.Ordinal);
        _global = new KeyedRateLimiter<string>(_ => new WindowLimiter(o.GlobalPerSecond, o.GlobalWindow, time))
            .WithTranslatedKey<string>(_ => "bot", leaveOpen: false);
        _chain = PartitionedRateLimiter.CreateChained(_chats, _groups, _global);
    }

    /// <summary>Waits for a permission to send one message to one chat; dispose it when the request has completed.</summary>
    /// <param name="chat">The chat id as Telegram takes it: a number, or @channelname.</param>
    public async Task<RateLimitLease> AcquireAsync(string chat, CancellationToken cancellationToken)
    {
        var lease = await _chain.AcquireAsync(chat, 1, cancellationToken);
        if (!lease.IsAcquired)
        {
            // The queues are unbounded: only a disposed limiter refuses.
            lease.Dispose();
            throw new ObjectDisposedException(nameof(TelegramRateLimiter));
        }

        return lease;
    }

    /// <summary>The server asked this chat to wait (429 retry_after): nothing more is sent to it before then.</summary>
    public void Penalize(string chat, TimeSpan retryAfter)
    {
        var now = _time.GetUtcNow();
        var until = now + retryAfter;
        _penalties.AddOrUpdate(chat, until, (_, old) => old > until ? old : until);
        if (_penalties.Count > Volatile.Read(ref _nextPenaltySweepAt))
        {
            foreach (var (key, ends) in _penalties)
            {
                if (ends <= now)
                {
                    _penalties.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, ends));
                }
            }

            Volatile.Write(ref _nextPenaltySweepAt, Math.Max(PenaltySweepThreshold, _penalties.Count * 2));
        }
    }

    public void Dispose()
    {
        _chain.Dispose();
        _chats.Dispose();
        _groups.Dispose();
        _global.Dispose();
    }

    /// <summary>Groups, supergroups and channels have negative ids (or an @name); users have positive ones.</summary>
    internal static bool IsGroupLike(string chat) => chat.StartsWith('-') || chat.StartsWith('@');

    private DateTimeOffset PenaltyOf(string chat) => _penalties.TryGetValue(chat, out var until) ? until : DateTimeOffset.MinValue;
}
