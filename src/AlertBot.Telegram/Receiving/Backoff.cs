namespace AlertBot.Telegram.Receiving;

/// <summary>
/// Exponential backoff with jitter: each failure in a row doubles the ceiling up to <c>max</c>, and the wait is drawn
/// from the upper half of it, so many instances never retry in step and a dead server is never hammered.
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max, Random random)
{
    private int _failures;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_failures, 30);
        _failures++;
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (random.NextDouble() * 0.5)));
    }

    public void Reset() => _failures = 0;
}
