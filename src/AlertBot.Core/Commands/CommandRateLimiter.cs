using System.Threading.RateLimiting;
using AlertBot.Core.Channels;
using AlertBot.Core.RateLimits;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Commands;

/// <summary>What the limiter says about one command.</summary>
/// <param name="Allowed">The command may run.</param>
/// <param name="Warn">Refused, and this is the first refusal of the flood: say "slow down" once. Later ones stay silent.</param>
/// <param name="RetryAfter">When refused: how long until the next command would be allowed.</param>
/// <param name="ChatLimited">When refused: the chat's bucket (not only the user's) is empty.</param>
public readonly record struct CommandRateDecision(bool Allowed, bool Warn, TimeSpan RetryAfter, bool ChatLimited);

/// <summary>
/// Token buckets per (platform, chat) and per (platform, user) on System.Threading.RateLimiting: a bucket holds a
/// minute's allowance, refills evenly, and a command costs one token from both. A refused command costs nothing, so
/// "try again in N s" stays true. A bucket that refused warns once; it warns again only after it has filled up, i.e.
/// after the flood stopped.
/// </summary>
public sealed class CommandRateLimiter : IDisposable
{
    private const int WarnedSweepThreshold = 10_000;

    private readonly KeyedRateLimiter<string> _chats;
    private readonly KeyedRateLimiter<string> _users;

    // Buckets that refused since they were last full. Bounded: a key leaves when its bucket is seen full again, and
    // the set is swept of refilled buckets when it grows.
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    // The sweep's threshold rises with what a sweep could not remove (as KeyedRateLimiter's does), so a flood of
    // distinct senders does not make every refused command walk the whole set.
    private int _nextWarnedSweepAt = WarnedSweepThreshold;

    public CommandRateLimiter(IOptions<CommandOptions> options, TimeProvider time)
    {
        var chat = options.Value.ChatCommandsPerMinute;
        var user = options.Value.UserCommandsPerMinute;
        _chats = new KeyedRateLimiter<string>(_ => new TokenBucketLimiter(chat, chat / 60.0, time), StringComparer.Ordinal);
        _users = new KeyedRateLimiter<string>(_ => new TokenBucketLimiter(user, user / 60.0, time), StringComparer.Ordinal);
    }

    /// <summary>How many chats and users are tracked right now (for tests of the memory bound).</summary>
    public int TrackedCount => _chats.Count + _users.Count;

    public CommandRateDecision TryAcquire(ChannelRef channel, string userId)
    {
        var chatKey = $"{channel.Platform}\n{channel.ExternalId}";
        var userKey = $"{channel.Platform}\n{userId}";
        lock (_lock)
        {
            ForgetWarningIfRefilled(_chats, chatKey, "chat\n");
            ForgetWarningIfRefilled(_users, userKey, "user\n");

            // Zero permits asks without taking, so a refusal by one bucket costs the other nothing.
            using var chat = _chats.AttemptAcquire(chatKey, 0);
            using var user = _users.AttemptAcquire(userKey, 0);
            if (chat.IsAcquired && user.IsAcquired)
            {
                using var takeChat = _chats.AttemptAcquire(chatKey);
                using var takeUser = _users.AttemptAcquire(userKey);
                return new CommandRateDecision(true, false, TimeSpan.Zero, false);
            }

            var chatLimited = !chat.IsAcquired;
            var warn = (chatLimited && _warned.Add("chat\n" + chatKey)) | (!user.IsAcquired && _warned.Add("user\n" + userKey));
            if (_warned.Count > _nextWarnedSweepAt)
            {
                _warned.RemoveWhere(k => k.StartsWith("chat\n", StringComparison.Ordinal) ? _chats.IsIdle(k[5..]) : _users.IsIdle(k[5..]));
                _nextWarnedSweepAt = Math.Max(WarnedSweepThreshold, _warned.Count * 2);
            }

            var wait = Max(RetryAfter(chat), RetryAfter(user));
            return new CommandRateDecision(false, warn, wait, chatLimited);
        }
    }

    public void Dispose()
    {
        _chats.Dispose();
        _users.Dispose();
    }

    private void ForgetWarningIfRefilled(KeyedRateLimiter<string> limiter, string key, string prefix)
    {
        if (_warned.Count > 0 && limiter.IsIdle(key))
        {
            _warned.Remove(prefix + key);
        }
    }

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        !lease.IsAcquired && lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.Zero;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
