namespace AlertBot.Core.Stories;

/// <summary>
/// <see cref="IStoryStore.LockStoriesAsync"/> for a database one process owns (SQLite): channels map onto a fixed set
/// of semaphores, taken in ascending order so two holders of overlapping sets queue instead of deadlocking. Polls of
/// unrelated channels mostly take different stripes and run side by side.
/// </summary>
public sealed class InProcessStoryLocks : IDisposable
{
    private const int Stripes = 64;
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<IAsyncDisposable> LockAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken)
    {
        var stripes = channelIds.Select(c => (int)((ulong)c % Stripes)).Distinct().Order().ToArray();
        var taken = 0;
        try
        {
            for (; taken < stripes.Length; taken++)
            {
                await _stripes[stripes[taken]].WaitAsync(cancellationToken);
            }
        }
        catch
        {
            Release(stripes, taken);
            throw;
        }

        return new Held(this, stripes);
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }

    private void Release(int[] stripes, int count)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            _stripes[stripes[i]].Release();
        }
    }

    private sealed class Held(InProcessStoryLocks owner, int[] stripes) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(stripes, stripes.Length);
            }

            return ValueTask.CompletedTask;
        }
    }
}
