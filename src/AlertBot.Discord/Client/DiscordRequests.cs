using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using AlertBot.Core.Alerts;
using AlertBot.Core.RateLimits;
using AlertBot.Discord.Configuration;
using Discord;
using Discord.Net;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord.Client;

/// <summary>
/// Runs one Discord.Net REST call the way the outbox needs it: inside the configured global pace, never retried by
/// the library (a timed-out create may have posted), with a 429 handed back as <see cref="DeliveryResult.Retry"/>
/// carrying Discord's wait. A bucket the library already knows to be empty (it refuses the call before sending) is
/// waited out here when the wait is short, cancellably; longer waits go back to the outbox too.
/// </summary>
internal sealed class DiscordRequests : IDisposable
{
    /// <summary>
    /// Bucket waits up to this long are waited here: Discord's message bucket (5 per 5 s) resets within it. Handing such
    /// a wait back to the outbox stalled the channel until the next drain after the reset (up to a drain interval more).
    /// </summary>
    private static readonly TimeSpan ShortWait = TimeSpan.FromSeconds(6);

    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly WindowLimiter _global;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _bucketResets = new(StringComparer.Ordinal);

    public DiscordRequests(IOptions<DiscordOptions> options, TimeProvider time)
    {
        _time = time;
        _timeout = TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds);

        // At most GlobalRequestsPerSecond in any one second, each request counted until a second after its answer:
        // Discord counts it somewhere in between, so the pace holds as Discord measures it, with nothing left unused.
        _global = new WindowLimiter(options.Value.GlobalRequestsPerSecond, TimeSpan.FromSeconds(1), time);
    }

    public void Dispose() => _global.Dispose();

    /// <param name="bucketKey">The route's major parameter (channel or webhook id): its bucket's reset is remembered.</param>
    public async Task<DiscordCallResult<T>> SendAsync<T>(string bucketKey, Func<RequestOptions, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            // A bucket known to be empty is waited out before a global permit is taken: a permit counts for a second
            // whether or not its request went out, so taking one only to be refused by Discord.Net wastes it.
            var empty = KnownEmptyFor(bucketKey);
            if (empty > ShortWait)
            {
                return DiscordCallResult<T>.Failed(BucketEmpty(empty.Value));
            }

            if (empty > TimeSpan.Zero)
            {
                // Real time: a bucket resets on Discord's clock, whatever clock the host runs on.
                await Task.Delay(empty.Value, cancellationToken);
            }

            using var lease = await _global.AcquireAsync(1, cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            var seen = new TaskCompletionSource<IRateLimitInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
            IRateLimitInfo? limited = null;
            var options = new RequestOptions
            {
                RetryMode = RetryMode.AlwaysFail,

                // The config's UseSystemClock = false does not reach options made per call: without this, Discord.Net
                // dates a bucket's reset from X-RateLimit-Reset plus the Date header's lag (whole seconds), and holds
                // each emptied bucket shut for up to a second after Discord reopened it.
                UseSystemClock = false,
                CancelToken = timeout.Token,
                Timeout = (int)_timeout.TotalMilliseconds,
                RatelimitCallback = info =>
                {
                    Remember(bucketKey, info);
                    seen.TrySetResult(info);
                    if (IsTooManyRequests(info))
                    {
                        // Discord.Net would wait this 429 out and send again inside the call (for a bucket it has just
                        // learned); cancelling hands the wait back to the outbox instead.
                        Volatile.Write(ref limited, info);
                        CancelQuietly(timeout);
                    }

                    return Task.CompletedTask;
                },
            };
            try
            {
                var value = await call(options);

                // The bucket's headers reach the callback on the thread pool, usually at once: the channel's next call
                // must know whether the bucket is now empty, or Discord.Net refuses it unsent (and it waits blind).
                await WaitBrieflyAsync(seen.Task, cancellationToken, TimeSpan.FromMilliseconds(50));
                return DiscordCallResult<T>.Success(value);
            }
            catch (Exception) when (Volatile.Read(ref limited) is { } hit && !cancellationToken.IsCancellationRequested)
            {
                return DiscordCallResult<T>.Failed(TooMany(hit));
            }
            catch (RateLimitedException)
            {
                // Refused unsent when the bucket was emptied lately (Discord.Net reopens it a little after the reset its
                // headers gave); otherwise this may be Discord's 429, whose headers reach the callback on the thread
                // pool: give them a moment to arrive.
                var info = KnownEmptyFor(bucketKey) is not null ? null : await WaitBrieflyAsync(seen.Task, cancellationToken);
                if (info is not null && IsTooManyRequests(info))
                {
                    return DiscordCallResult<T>.Failed(TooMany(info));
                }

                var wait = BucketWait(bucketKey);
                if (wait > ShortWait || attempt >= 20)
                {
                    return DiscordCallResult<T>.Failed(BucketEmpty(wait));
                }

                // Real time: a bucket resets on Discord's clock, whatever clock the host runs on. The global permit is
                // given back first: nothing is sent while this waits.
                lease.Dispose();
                await Task.Delay(wait, cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Our timeout: the request went out and no answer came, so it may have been carried out.
                return DiscordCallResult<T>.Failed(new DeliveryResult.Unknown($"Discord did not answer within {_timeout.TotalSeconds:0} s"));
            }
            catch (TimeoutException)
            {
                return DiscordCallResult<T>.Failed(new DeliveryResult.Unknown($"Discord did not answer within {_timeout.TotalSeconds:0} s"));
            }
            catch (HttpRequestException ex)
            {
                // The connection failed; whether the request had reached Discord cannot be told from here.
                return DiscordCallResult<T>.Failed(new DeliveryResult.Unknown($"Discord connection failed: {DiscordLog.Describe(ex)}"));
            }
            catch (HttpException ex)
            {
                return DiscordCallResult<T>.Error(ex);
            }
        }
    }

    // Retry-After (and the global flag) come only with a 429.
    private static bool IsTooManyRequests(IRateLimitInfo info) => info.RetryAfter is not null || info.IsGlobal;

    private static DeliveryResult.Retry TooMany(IRateLimitInfo info)
    {
        var after = info.ResetAfter ?? TimeSpan.FromSeconds(info.RetryAfter ?? 1);
        return new DeliveryResult.Retry($"Discord rate limit{(info.IsGlobal ? " (global)" : "")}: retry after {after.TotalSeconds:0.###} s", after);
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call already ended.
        }
    }

    private void Remember(string bucketKey, IRateLimitInfo info)
    {
        if (info.Remaining == 0 && info.ResetAfter is { } resetAfter)
        {
            _bucketResets[bucketKey] = _time.GetUtcNow() + resetAfter;
        }
    }

    /// <summary>How long after a bucket's reset a refusal by Discord.Net is still its own lag, not Discord's answer.</summary>
    private static readonly TimeSpan ResetGrace = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long until the bucket that answered "0 remaining" resets; zero or less when it is not known empty (down to
    /// minus <see cref="ResetGrace"/> while it reset lately).
    /// </summary>
    private TimeSpan? KnownEmptyFor(string bucketKey)
    {
        if (!_bucketResets.TryGetValue(bucketKey, out var resetAt))
        {
            return null;
        }

        var wait = resetAt - _time.GetUtcNow();
        if (wait <= -ResetGrace)
        {
            _bucketResets.TryRemove(new KeyValuePair<string, DateTimeOffset>(bucketKey, resetAt));
            return null;
        }

        return wait;
    }

    private static DeliveryResult.Retry BucketEmpty(TimeSpan wait) => new("Discord rate limit bucket is empty", wait);

    // After Discord.Net refused a call unsent: the bucket's remaining wait, or a moment for its reopening to show.
    private TimeSpan BucketWait(string bucketKey) =>
        KnownEmptyFor(bucketKey) is { } wait && wait > TimeSpan.FromMilliseconds(20) ? wait : TimeSpan.FromMilliseconds(50);

    private static async Task<IRateLimitInfo?> WaitBrieflyAsync(Task<IRateLimitInfo> seen, CancellationToken cancellationToken, TimeSpan? atMost = null)
    {
        try
        {
            return await seen.WaitAsync(atMost ?? TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Discord's complaint in one line, with its field errors (Invalid Form Body names the offending fields).</summary>
    public static string Describe(HttpException ex)
    {
        var text = $"{(int)ex.HttpCode} {ex.Reason ?? ex.HttpCode.ToString()}";
        if (ex.DiscordCode is { } code)
        {
            text += $" (code {(int)code})";
        }

        if (ex.Errors is { Count: > 0 } errors)
        {
            text += ": " + string.Join("; ", errors.Select(e => $"{e.Path}: {string.Join(", ", e.Errors.Select(d => $"{d.Code} {d.Message}"))}"));
        }

        return text;
    }
}

/// <summary>A call's value, or what the outbox should make of its failure, or Discord's HTTP error to map.</summary>
internal sealed record DiscordCallResult<T>(T? Value, DeliveryResult? Failure, HttpException? HttpError)
{
    public bool Succeeded => Failure is null && HttpError is null;

    public static DiscordCallResult<T> Success(T value) => new(value, null, null);

    public static DiscordCallResult<T> Failed(DeliveryResult failure) => new(default, failure, null);

    public static DiscordCallResult<T> Error(HttpException error) => new(default, null, error);

    public HttpStatusCode? Status => HttpError?.HttpCode;
}
