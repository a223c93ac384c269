namespace AlertBot.Core.Persistence;

/// <summary>
/// Named exclusive leases for singleton work (the Telegram poller, the Discord gateway): among all AlertBot instances
/// sharing one database, at most one holds a given name at a time. Backed by the store's database (a PostgreSQL
/// advisory lock) or, for a single-instance database such as SQLite, by the process itself.
/// </summary>
public interface ILeaseProvider
{
    /// <summary>
    /// Takes the lease without waiting. Null when someone else holds it (another instance, or another caller in this
    /// process): try again later. The lease is held until the returned handle is disposed.
    /// </summary>
    Task<ILease?> TryAcquireAsync(string name, CancellationToken cancellationToken);
}

/// <summary>A held lease; disposing it releases the lease.</summary>
public interface ILease : IAsyncDisposable
{
    string Name { get; }

    /// <summary>
    /// Cancelled when the lease is lost without being released (its database connection broke, so another instance
    /// may take it over): the holder must stop the singleton work at once and acquire again before resuming.
    /// </summary>
    CancellationToken Lost { get; }
}
