using AlertBot.Core.Pipeline;

namespace AlertBot.Core.Diagnostics;

/// <summary>What the polls did since the last summary: one line for an operator instead of one per poll.</summary>
public sealed record PollActivitySummary(
    TimeSpan Period,
    long Polls,
    long Changed,
    long NotModified,
    long Baseline,
    long Failed,
    long BackingOff,
    long NewItems,
    long AlertsQueued,
    long Late,
    long Missed,
    TimeSpan WorstLateness,
    string? WorstLateFeed)
{
    /// <summary>True when some poll came late or not at all: the summary is then a warning.</summary>
    public bool Behind => Late > 0 || Missed > 0;
}

/// <summary>
/// Counts polls and their outcomes between two summaries (<see cref="TakeSummary"/>), thread-safe and lock-free on
/// the poll path; late and missed polls are reported here by the scheduler. The counters are also metrics; this adds
/// the period view and the worst late feed, which the log line names.
/// </summary>
public sealed class PollActivity(TimeProvider time)
{
    private readonly Lock _worstLock = new();
    /// <summary>Polls by <see cref="PollStatus"/>, indexed by the status's value.</summary>
    private readonly long[] _byStatus = new long[Enum.GetValues<PollStatus>().Length];
    private long _newItems;
    private long _alerts;
    private long _late;
    private long _missed;
    private TimeSpan _worst;
    private string? _worstFeed;
    private long _since = time.GetTimestamp();

    public void Record(PollOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Status == PollStatus.UnknownFeed || !Enum.IsDefined(outcome.Status))
        {
            // Not a poll: the feed was removed before its job ran.
            return;
        }

        Interlocked.Increment(ref _byStatus[(int)outcome.Status]);

        if (outcome.NewItems > 0)
        {
            Interlocked.Add(ref _newItems, outcome.NewItems);
        }

        if (outcome.AlertsEnqueued > 0)
        {
            Interlocked.Add(ref _alerts, outcome.AlertsEnqueued);
        }
    }

    /// <summary>A poll that started <paramref name="lateness"/> after its time (beyond the tolerance).</summary>
    public void RecordLate(string feed, TimeSpan lateness)
    {
        Interlocked.Increment(ref _late);
        Worst(feed, lateness);
    }

    /// <summary>A poll time the scheduler could not keep: the poll runs at once, a whole interval or more late.</summary>
    public void RecordMissed(string feed, TimeSpan lateness)
    {
        Interlocked.Increment(ref _missed);
        Worst(feed, lateness);
    }

    /// <summary>The activity since the previous call, and a fresh period.</summary>
    public PollActivitySummary TakeSummary()
    {
        var now = time.GetTimestamp();
        var period = time.GetElapsedTime(Interlocked.Exchange(ref _since, now), now);
        TimeSpan worst;
        string? worstFeed;
        lock (_worstLock)
        {
            (worst, worstFeed) = (_worst, _worstFeed);
            (_worst, _worstFeed) = (TimeSpan.Zero, null);
        }

        var counts = new long[_byStatus.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Interlocked.Exchange(ref _byStatus[i], 0);
        }

        long Count(PollStatus status) => counts[(int)status];

        // A feed backing off was not fetched: not a poll.
        return new PollActivitySummary(
            period,
            counts.Sum() - Count(PollStatus.BackingOff),
            Count(PollStatus.Polled),
            Count(PollStatus.NotModified),
            Count(PollStatus.Baseline),
            Count(PollStatus.Failed),
            Count(PollStatus.BackingOff),
            Interlocked.Exchange(ref _newItems, 0),
            Interlocked.Exchange(ref _alerts, 0),
            Interlocked.Exchange(ref _late, 0),
            Interlocked.Exchange(ref _missed, 0),
            worst,
            worstFeed);
    }

    private void Worst(string feed, TimeSpan lateness)
    {
        lock (_worstLock)
        {
            if (lateness > _worst)
            {
                (_worst, _worstFeed) = (lateness, feed);
            }
        }
    }
}
