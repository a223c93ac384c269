using System.Threading.RateLimiting;

namespace AlertBot.Feeds.Fetching;

/// <summary>
/// Politeness towards a site: at most <see cref="FetchOptions.MaxConcurrentPerHost"/> reads of feeds on one host at a
/// time, the rest queued in order, so a thousand feeds on one site are fetched a few at a time rather than all at once.
/// One for the process (the typed HttpClient that reads feeds is transient); the wait is not counted against a read's
/// deadline, which starts when the read does.
/// </summary>
public sealed class HostConcurrency : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public HostConcurrency(FetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var permits = options.MaxConcurrentPerHost;
        _limiter = PartitionedRateLimiter.Create<string, string>(host => RateLimitPartition.GetConcurrencyLimiter(
            host,
            _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = permits,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));
    }

    /// <summary>Waits for a turn at the host of <paramref name="source"/>; dispose the lease when the read is done.</summary>
    public async ValueTask<IDisposable> AcquireAsync(string source, CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(HostOf(source), 1, cancellationToken);
        if (!lease.IsAcquired)
        {
            // Only a disposed limiter refuses: the queue is unbounded.
            lease.Dispose();
            throw new ObjectDisposedException(nameof(HostConcurrency));
        }

        return lease;
    }

    /// <summary>Host names are case-insensitive; a URL that does not parse queues with its own text.</summary>
    internal static string HostOf(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) ? uri.IdnHost.ToUpperInvariant() : source;

    public void Dispose() => _limiter.Dispose();
}
