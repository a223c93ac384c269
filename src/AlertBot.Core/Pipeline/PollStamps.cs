using AlertBot.Core.Persistence;
using Microsoft.Extensions.Logging;

namespace AlertBot.Core.Pipeline;

/// <summary>
/// The 304s of healthy feeds, written together: such a poll changes nothing but the feed's poll times, so instead of
/// a write transaction per poll they are kept here (the latest per feed) and written in one transaction per
/// <see cref="FlushAsync"/>, which the worker calls every second and at shutdown. A poll that changes anything else (a
/// failure, a feed recovering, new items) is written at once as before. A crash loses at most the last second's
/// stamps, which only makes those feeds' next poll after a restart come a little early.
/// </summary>
public sealed partial class PollStamps(IPollStore store, ILogger<PollStamps> logger)
{
    private readonly Lock _gate = new();
    private Dictionary<long, DateTimeOffset> _pending = [];

    /// <summary>How many stamps wait to be written.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>A healthy feed answered 304 at <paramref name="at"/>.</summary>
    public void NotModified(long feedId, DateTimeOffset at)
    {
        lock (_gate)
        {
            KeepNewer(feedId, at);
        }
    }

    /// <summary>Writes what is pending in one transaction; on failure keeps it for the next flush (logged).</summary>
    /// <returns>How many stamps were written.</returns>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<long, DateTimeOffset> batch;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return 0;
            }

            batch = _pending;
            _pending = new Dictionary<long, DateTimeOffset>(batch.Count);
        }

        try
        {
            await store.RecordFeedsNotModifiedAsync([.. batch.Select(p => new FeedPollStamp(p.Key, p.Value))], cancellationToken);
            return batch.Count;
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                foreach (var (feedId, at) in batch)
                {
                    KeepNewer(feedId, at);
                }
            }

            if (ex is not OperationCanceledException)
            {
                LogFlushFailed(batch.Count, ex);
            }

            throw;
        }
    }

    // Under _gate: a feed's pending stamp is its latest 304.
    private void KeepNewer(long feedId, DateTimeOffset at)
    {
        if (!_pending.TryGetValue(feedId, out var known) || known < at)
        {
            _pending[feedId] = at;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Count} unchanged polls; kept for the next try")]
    private partial void LogFlushFailed(int count, Exception exception);
}
