namespace AlertBot.Testing.Faults;

/// <summary>How a fake chat API spoils one call.</summary>
public enum ChatFault
{
    None,

    /// <summary>A 5xx answer; the message is not accepted.</summary>
    ServerError,

    /// <summary>A 429 with the platform's retry_after; the message is not accepted.</summary>
    RateLimited,

    /// <summary>The message is accepted, then the answer is held past the client's timeout and the connection cut.</summary>
    Timeout,

    /// <summary>The connection is cut before the message is looked at.</summary>
    DropBefore,

    /// <summary>The message is accepted, then the connection is cut before the answer.</summary>
    DropAfter,
}

/// <summary>
/// Picks, per call, whether and how a fake spoils it: seeded, so the sequence of draws is the same on every run (which
/// call gets which draw still depends on arrival order), and the kinds of fault take turns. The fakes report here the calls whose message they accepted
/// but whose answer the client never got: the only calls after which a platform without idempotency may post twice.
/// </summary>
public sealed class FaultInjector
{
    private static readonly ChatFault[] Kinds =
        [ChatFault.ServerError, ChatFault.RateLimited, ChatFault.Timeout, ChatFault.DropBefore, ChatFault.DropAfter];

    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly Dictionary<ChatFault, int> _counts = [];
    private int _lostResponses;

    /// <param name="seed">Seeds the draws.</param>
    /// <param name="rate">The share of calls spoiled, 0 to 1.</param>
    public FaultInjector(int seed, double rate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
#pragma warning disable CA5394 // Test fault injection: reproducible draws are the point, not unpredictability.
        _random = new Random(seed);
#pragma warning restore CA5394
        Rate = rate;
    }

    public double Rate { get; }

    /// <summary>How long a <see cref="ChatFault.Timeout"/> holds the answer: longer than the client's own timeout.</summary>
    public TimeSpan HangFor { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The retry_after a <see cref="ChatFault.RateLimited"/> answer carries.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Calls whose message the fake accepted but whose answer was lost (timeout or cut connection).</summary>
    public int LostResponses => Volatile.Read(ref _lostResponses);

    public int Total
    {
        get
        {
            lock (_gate)
            {
                return _counts.Values.Sum();
            }
        }
    }

    public int Count(ChatFault kind)
    {
        lock (_gate)
        {
            return _counts.GetValueOrDefault(kind);
        }
    }

    /// <summary>The fault for the next call (mostly <see cref="ChatFault.None"/>).</summary>
    public ChatFault Next()
    {
        lock (_gate)
        {
#pragma warning disable CA5394 // See the constructor.
            if (_random.NextDouble() >= Rate)
            {
                return ChatFault.None;
            }

#pragma warning restore CA5394

            // Which calls fail is random; the kinds take turns, so a handful of faults already covers every kind.
            var kind = Kinds[_counts.Values.Sum() % Kinds.Length];
            _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
            return kind;
        }
    }

    /// <summary>A fake accepted a message and then lost its answer.</summary>
    public void ResponseLost() => Interlocked.Increment(ref _lostResponses);

    public override string ToString()
    {
        lock (_gate)
        {
            return $"{_counts.Values.Sum()} faults ({string.Join(", ", _counts.Select(c => $"{c.Key}: {c.Value}"))}), {LostResponses} lost responses";
        }
    }
}
