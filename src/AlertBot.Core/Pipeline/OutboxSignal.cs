namespace AlertBot.Core.Pipeline;

/// <summary>
/// Says "alerts were queued" to whatever runs the delivery drain, so they go out now rather than at the drain's next
/// interval (up to <see cref="DeliveryOptions.Interval"/> later: two seconds by default, the bulk of an alert's latency).
/// Raises coalesce: one wake-up is pending at most, until the next drain starts and takes whatever is queued by then.
/// </summary>
/// <remarks>
/// A wake-up that goes nowhere (nothing listening yet, the scheduler not started) costs nothing: the interval still
/// drains the outbox, and its drain clears the pending flag so the next raise wakes it again.
/// </remarks>
public sealed class OutboxSignal
{
    private int _pending;

    /// <summary>Raised once per batch of queued alerts while no drain has started since the last one.</summary>
    public event EventHandler? Queued;

    /// <summary>Alerts were committed to the outbox.</summary>
    public void Raise()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            Queued?.Invoke(this, EventArgs.Empty);
        }
    }

    /// <summary>A drain is starting: what is queued from here on needs a new wake-up.</summary>
    public void DrainStarting() => Volatile.Write(ref _pending, 0);
}
