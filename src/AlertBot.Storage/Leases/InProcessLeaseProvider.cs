using AlertBot.Core.Persistence;

namespace AlertBot.Storage.Leases;

/// <summary>
/// Leases held in this process only: enough for SQLite, whose database one instance uses. Exclusive among the callers
/// sharing this provider (one singleton per host); never lost.
/// </summary>
public sealed class InProcessLeaseProvider : ILeaseProvider
{
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Task<ILease?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<ILease?>(_held.Add(name) ? new Lease(this, name) : null);
        }
    }

    private void Release(string name)
    {
        lock (_gate)
        {
            _held.Remove(name);
        }
    }

    private sealed class Lease(InProcessLeaseProvider owner, string name) : ILease
    {
        private int _released;

        public string Name => name;

        public CancellationToken Lost => CancellationToken.None;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(name);
            }

            return ValueTask.CompletedTask;
        }
    }
}
