using AlertBot.Core.Channels;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Commands;

/// <summary>What the limiter says about one command.</summary>
/// <param name="Allowed">The command may run.</param>
/// <param name="Warn">Refused, and this is the first refusal of the flood: say "slow down" once. Later ones stay silent.</param>
/// <param name="RetryAfter">When refused: how long until the next command would be allowed.</param>
/// <param name="ChatLimited">When refused: the chat's bucket (not only the user's) is empty.</param>
public readonly record struct CommandRateDecision(bool Allowed, bool Warn, TimeSpan RetryAfter, bool ChatLimited);

/// <summary>
/// Token buckets per (platform, chat) and per (platform, user): a bucket holds a minute's allowance, refills evenly,
/// and a command costs one token from both. A refused command costs nothing, so "try again in N s" stays true.
/// A bucket that refused warns once; it warns again only after it has filled up, i.e. after the flood stopped.
/// </summary>
public sealed class CommandRateLimiter
{
    // Full buckets are indistinguishable from new ones, so dropping them loses nothing; this bounds the memory a
    // crowd of one-off senders can take.
    private const int SweepThreshold = 10_000;

    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly double _chatCapacity;
    private readonly double _userCapacity;
    private int _nextSweepAt = SweepThreshold;

    public CommandRateLimiter(IOptions<CommandOptions> options, TimeProvider time)
    {
        _time = time;
        _chatCapacity = options.Value.ChatCommandsPerMinute;
        _userCapacity = options.Value.UserCommandsPerMinute;
    }

    /// <summary>How many chats and users are tracked right now (for tests of the memory bound).</summary>
    public int TrackedCount
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Count;
            }
        }
    }

    public CommandRateDecision TryAcquire(ChannelRef channel, string userId)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var chat = Get($"chat\n{channel.Platform}\n{channel.ExternalId}", _chatCapacity, now);
            var user = Get($"user\n{channel.Platform}\n{userId}", _userCapacity, now);
            if (chat.Tokens >= 1 && user.Tokens >= 1)
            {
                chat.Tokens--;
                user.Tokens--;
                return new CommandRateDecision(true, false, TimeSpan.Zero, false);
            }

            var chatLimited = chat.Tokens < 1;
            var warn = (chatLimited && !chat.Warned) || (user.Tokens < 1 && !user.Warned);
            chat.Warned |= chatLimited;
            user.Warned |= user.Tokens < 1;
            var wait = Max(chat.TimeToOneToken(), user.TimeToOneToken());
            return new CommandRateDecision(false, warn, wait, chatLimited);
        }
    }

    private Bucket Get(string key, double capacity, long now)
    {
        if (_buckets.TryGetValue(key, out var bucket))
        {
            bucket.Refill(now, _time.TimestampFrequency);
            return bucket;
        }

        if (_buckets.Count >= _nextSweepAt)
        {
            Sweep(now);
        }

        bucket = new Bucket(capacity, now);
        _buckets[key] = bucket;
        return bucket;
    }

    private void Sweep(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            bucket.Refill(now, _time.TimestampFrequency);
            if (bucket.IsFull)
            {
                _buckets.Remove(key);
            }
        }

        _nextSweepAt = Math.Max(SweepThreshold, _buckets.Count * 2);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class Bucket(double capacity, long now)
    {
        private readonly double _capacity = capacity;

        // Tokens per second: a minute's allowance spread evenly over the minute.
        private readonly double _rate = capacity / 60.0;
        private long _last = now;

        public double Tokens { get; set; } = capacity;

        /// <summary>Refused at least once since the bucket was last full: the flood was told to slow down.</summary>
        public bool Warned { get; set; }

        public bool IsFull => Tokens >= _capacity;

        public void Refill(long now, long frequency)
        {
            var elapsed = (double)(now - _last) / frequency;
            _last = now;
            if (elapsed > 0)
            {
                Tokens = Math.Min(_capacity, Tokens + (elapsed * _rate));
            }

            if (IsFull)
            {
                Warned = false;
            }
        }

        public TimeSpan TimeToOneToken() =>
            Tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - Tokens) / _rate);
    }
}
