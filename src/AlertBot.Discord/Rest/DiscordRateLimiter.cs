using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace AlertBot.Discord.Rest;

/// <summary>
/// Discord's REST limits, kept on our side so a burst waits instead of drawing 429s: one bucket per
/// (X-RateLimit-Bucket hash, major parameter), keyed by route template until the hash is known; one request in flight
/// per bucket; a global N-per-second window; and a global pause after a global 429.
/// </summary>
internal sealed class DiscordRateLimiter : IDisposable
{
    private readonly ConcurrentDictionary<string, string> _hashByTemplate = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly WindowLimiter _global;
    private readonly TimeProvider _time;
    private readonly Lock _pauseLock = new();
    private DateTimeOffset _globalPauseUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    // Interaction routes make a bucket per interaction; idle buckets are dropped so the table does not grow forever.
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan IdleBucketAge = TimeSpan.FromMinutes(10);

    // Timers fire on a millisecond tick and may come a tick early against the server's clock; a little slack keeps
    // the N-per-second promise when requests return within the same millisecond they arrived.
    private static readonly TimeSpan GlobalWindow = TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(25);

    public DiscordRateLimiter(int globalRequestsPerSecond, TimeProvider time)
    {
        _time = time;
        _global = new WindowLimiter(globalRequestsPerSecond, GlobalWindow, time);
    }

    public void Dispose() => _global.Dispose();

    /// <summary>Waits until <paramref name="route"/> may be sent; dispose the lease when the response is read.</summary>
    public async Task<Lease> AcquireAsync(DiscordRoute route, CancellationToken cancellationToken)
    {
        PruneIdleBuckets();
        var bucket = BucketFor(route);
        await bucket.Gate.WaitAsync(cancellationToken);
        bucket.Touch(_time.GetUtcNow());
        WindowLimiter.Permit? permit = null;
        try
        {
            await WaitUntilAsync(bucket.BlockedUntil(), cancellationToken);
            if (route.CountsTowardsGlobalLimit)
            {
                await WaitUntilAsync(GlobalPauseUntil(), cancellationToken);
                permit = await _global.AcquireAsync(cancellationToken);

                // A global 429 may have arrived while we queued for the permit.
                await WaitUntilAsync(GlobalPauseUntil(), cancellationToken);
            }

            return new Lease(this, route, bucket, permit);
        }
        catch
        {
            permit?.Dispose();
            bucket.Gate.Release();
            throw;
        }
    }

    private Bucket BucketFor(DiscordRoute route)
    {
        var key = _hashByTemplate.TryGetValue(route.TemplateKey, out var hash)
            ? $"{hash}|{route.MajorParameter}"
            : $"{route.TemplateKey}|{route.MajorParameter}";
        return _buckets.GetOrAdd(key, static _ => new Bucket());
    }

    internal int BucketCount => _buckets.Count;

    private void PruneIdleBuckets()
    {
        var now = _time.GetUtcNow();
        lock (_pauseLock)
        {
            if (now < _nextPrune)
            {
                return;
            }

            _nextPrune = now + PruneEvery;
        }

        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.IsIdleSince(now - IdleBucketAge))
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private DateTimeOffset GlobalPauseUntil()
    {
        lock (_pauseLock)
        {
            return _globalPauseUntil;
        }
    }

    private void PauseGlobally(TimeSpan retryAfter)
    {
        var until = _time.GetUtcNow() + retryAfter;
        lock (_pauseLock)
        {
            if (until > _globalPauseUntil)
            {
                _globalPauseUntil = until;
            }
        }
    }

    private async Task WaitUntilAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        var wait = until - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken);
        }
    }

    /// <summary>What a response said about limits, read from its headers and (for a 429) its body.</summary>
    internal readonly record struct RateLimitInfo(
        string? BucketHash,
        int? Remaining,
        TimeSpan? ResetAfter,
        bool IsRateLimited,
        bool IsGlobal,
        TimeSpan? RetryAfter);

    internal static RateLimitInfo Read(HttpResponseMessage response, string? body)
    {
        var headers = response.Headers;
        var hash = Header(headers, "X-RateLimit-Bucket");
        int? remaining = int.TryParse(Header(headers, "X-RateLimit-Remaining"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r : null;
        var resetAfter = Seconds(Header(headers, "X-RateLimit-Reset-After"));
        if ((int)response.StatusCode != 429)
        {
            return new RateLimitInfo(hash, remaining, resetAfter, false, false, null);
        }

        var isGlobal = string.Equals(Header(headers, "X-RateLimit-Global"), "true", StringComparison.OrdinalIgnoreCase)
            || string.Equals(Header(headers, "X-RateLimit-Scope"), "global", StringComparison.OrdinalIgnoreCase);
        TimeSpan? retryAfter = null;
        if (!string.IsNullOrEmpty(body))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    if (doc.RootElement.TryGetProperty("retry_after", out var ra) && ra.TryGetDouble(out var seconds) && seconds >= 0)
                    {
                        retryAfter = TimeSpan.FromSeconds(seconds);
                    }

                    if (doc.RootElement.TryGetProperty("global", out var g) && g.ValueKind == JsonValueKind.True)
                    {
                        isGlobal = true;
                    }
                }
            }
            catch (JsonException)
            {
                // A Cloudflare ban answers 429 with an HTML page; the headers below still apply.
            }
        }

        retryAfter ??= Seconds(Header(headers, "Retry-After")) ?? resetAfter ?? TimeSpan.FromSeconds(1);
        return new RateLimitInfo(hash, remaining, resetAfter, true, isGlobal, retryAfter);
    }

    private static string? Header(System.Net.Http.Headers.HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static TimeSpan? Seconds(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 && s < 86_400
            ? TimeSpan.FromSeconds(s)
            : null;

    internal sealed class Bucket
    {
        private readonly Lock _lock = new();
        private int? _remaining;
        private DateTimeOffset _resetAt = DateTimeOffset.MinValue;
        private DateTimeOffset _lastUsed;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public void Touch(DateTimeOffset now)
        {
            lock (_lock)
            {
                _lastUsed = now;
            }
        }

        /// <summary>Nobody in flight, nothing owed to Discord, and unused since <paramref name="cutoff"/>.</summary>
        public bool IsIdleSince(DateTimeOffset cutoff)
        {
            lock (_lock)
            {
                return Gate.CurrentCount == 1 && _lastUsed < cutoff && _resetAt < cutoff;
            }
        }

        /// <summary>When the bucket is spent, the moment it refills; otherwise a time already past.</summary>
        public DateTimeOffset BlockedUntil()
        {
            lock (_lock)
            {
                return _remaining is 0 ? _resetAt : DateTimeOffset.MinValue;
            }
        }

        public void Update(int? remaining, DateTimeOffset? resetAt)
        {
            lock (_lock)
            {
                if (remaining is not null)
                {
                    _remaining = remaining;
                }

                if (resetAt is not null)
                {
                    _resetAt = resetAt.Value;
                }
            }
        }

        public void Exhaust(DateTimeOffset until)
        {
            lock (_lock)
            {
                _remaining = 0;
                if (until > _resetAt)
                {
                    _resetAt = until;
                }
            }
        }
    }

    /// <summary>Permission to send one request on one bucket; report the response, then dispose.</summary>
    internal sealed class Lease(DiscordRateLimiter owner, DiscordRoute route, Bucket bucket, WindowLimiter.Permit? permit) : IDisposable
    {
        private int _disposed;

        public RateLimitInfo Complete(HttpResponseMessage response, string? body)
        {
            var info = Read(response, body);
            var now = owner._time.GetUtcNow();
            DateTimeOffset? resetAt = info.ResetAfter is { } after ? now + after : null;
            bucket.Update(info.Remaining, resetAt);

            if (info.BucketHash is { Length: > 0 } hash)
            {
                // From now on this route shares state with every route Discord put in the same bucket.
                owner._hashByTemplate[route.TemplateKey] = hash;
                var shared = owner.BucketFor(route);
                if (!ReferenceEquals(shared, bucket))
                {
                    shared.Update(info.Remaining, resetAt);
                }
            }

            if (info.IsRateLimited)
            {
                if (info.IsGlobal)
                {
                    owner.PauseGlobally(info.RetryAfter!.Value);
                }
                else
                {
                    bucket.Exhaust(now + info.RetryAfter!.Value);
                    owner.BucketFor(route).Exhaust(now + info.RetryAfter!.Value);
                }
            }

            return info;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                permit?.Dispose();
                bucket.Gate.Release();
            }
        }
    }
}
