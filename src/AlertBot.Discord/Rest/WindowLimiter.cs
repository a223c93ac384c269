namespace AlertBot.Discord.Rest;

/// <summary>
/// At most N operations per window. A permit comes back one window after its operation ended (not began), so
/// however late a request reaches the server, the server never sees more than N inside any window.
/// </summary>
internal sealed class WindowLimiter : IDisposable
{
    private readonly SemaphoreSlim _permits;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;

    public WindowLimiter(int permits, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        _permits = new SemaphoreSlim(permits, permits);
        _window = window;
        _time = time;
    }

    public async Task<Permit> AcquireAsync(CancellationToken cancellationToken)
    {
        await _permits.WaitAsync(cancellationToken);
        return new Permit(this);
    }

    public void Dispose() => _permits.Dispose();

    // Task.Delay keeps its timer rooted until it fires; a bare ITimer nobody references could be collected first.
    private async Task ReturnLaterAsync()
    {
        await Task.Delay(_window, _time);
        try
        {
            _permits.Release();
        }
        catch (ObjectDisposedException)
        {
            // The limiter was disposed (shutdown) while the permit was away.
        }
    }

    /// <summary>Returned when the operation has finished; the permit itself comes back one window later.</summary>
    internal sealed class Permit(WindowLimiter owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _ = owner.ReturnLaterAsync();
            }
        }
    }
}
