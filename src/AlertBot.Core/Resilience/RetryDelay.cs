using Polly;
using Polly.Retry;

namespace AlertBot.Core.Resilience;

/// <summary>
/// The house's one backoff: <see cref="First"/> doubled per attempt (Polly's exponential shape), capped at
/// <see cref="Max"/>, then scaled by a random factor between <see cref="JitterLow"/> and <see cref="JitterHigh"/> and
/// capped again, so instances that failed together do not retry in step and a dead server is never hammered.
/// </summary>
/// <remarks>
/// Two kinds of user: a schedule kept in the database (the outbox's next attempt, a failing feed's next poll) takes
/// <see cref="For"/> and stores the due time, because the retry happens in a later job, maybe in another process;
/// a loop that retries in this process (the Discord gateway, Telegram's getUpdates) runs <see cref="RetryForever"/>,
/// a Polly pipeline whose delays come from <see cref="For"/> and run on the host's <see cref="TimeProvider"/>, so tests
/// move a fake clock instead of waiting.
/// </remarks>
/// <param name="JitterLow">Lowest factor applied to the capped delay (1: no jitter).</param>
/// <param name="JitterHigh">Highest factor; the result never exceeds <see cref="Max"/> whatever the factor.</param>
public sealed record RetryDelay(TimeSpan First, TimeSpan Max, double JitterLow = 1, double JitterHigh = 1)
{
    // 2^30 times a millisecond is 12 days: past every cap this house uses, and far from double's limits.
    private const int MaxExponent = 30;

    /// <summary>The wait before retry number <paramref name="attempt"/> + 1 (0: after the first failure).</summary>
    /// <param name="random">A source of numbers in [0, 1); <see cref="Random.Shared"/> when null.</param>
    public TimeSpan For(int attempt, Func<double>? random = null)
    {
        var max = Max.TotalMilliseconds;
        var ceiling = Math.Min(First.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt, 0, MaxExponent)), max);
        if (JitterLow.Equals(1d) && JitterHigh.Equals(1d))
        {
            return TimeSpan.FromMilliseconds(ceiling);
        }

#pragma warning disable CA5394 // Jitter spreads retries; it is not a security decision.
        var draw = random is null ? Random.Shared.NextDouble() : random();
#pragma warning restore CA5394
        var factor = JitterLow + (draw * (JitterHigh - JitterLow));
        return TimeSpan.FromMilliseconds(Math.Min(ceiling * factor, max));
    }

    /// <summary>
    /// A Polly pipeline that retries every failure <paramref name="shouldRetry"/> accepts, for as long as the caller's
    /// token allows, waiting <see cref="For"/> (or what <paramref name="serverWait"/> makes of it) between attempts.
    /// Each execution starts its count afresh, so a success resets the backoff. Cancellation ends it with
    /// <see cref="OperationCanceledException"/>; a failure it does not handle is thrown as is.
    /// </summary>
    /// <param name="onRetry">Told of each handled failure and the wait before the next attempt (log it here).</param>
    /// <param name="serverWait">Turns the computed wait into the one to use, e.g. at least a server's retry-after.</param>
    public ResiliencePipeline RetryForever(
        TimeProvider time,
        Func<Exception, bool> shouldRetry,
        Func<Exception, TimeSpan, ValueTask> onRetry,
        Func<Exception, TimeSpan, TimeSpan>? serverWait = null)
    {
        ArgumentNullException.ThrowIfNull(shouldRetry);
        ArgumentNullException.ThrowIfNull(onRetry);
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex && !args.Context.CancellationToken.IsCancellationRequested && shouldRetry(ex)),
                DelayGenerator = args =>
                {
                    var wait = For(args.AttemptNumber);
                    if (serverWait is not null && args.Outcome.Exception is { } ex)
                    {
                        wait = serverWait(ex, wait);
                    }

                    return ValueTask.FromResult<TimeSpan?>(wait);
                },
                OnRetry = args => onRetry(args.Outcome.Exception!, args.RetryDelay),
            })
            .Build();
    }
}
