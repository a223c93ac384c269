using AlertBot.Core.Persistence;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AlertBot.Storage.Postgres;

/// <summary>
/// Leases as PostgreSQL session advisory locks: a lease is one connection holding <c>pg_try_advisory_lock</c> on the
/// name's key, so it is exclusive across every instance using the database, and the server drops it by itself when
/// the holder's session dies (a crashed instance never blocks the others). The holding connection is probed every
/// <c>checkInterval</c>; when the probe fails the lock may already belong to someone else, so <see cref="ILease.Lost"/>
/// fires. Needs a session-mode connection: a transaction-pooling proxy (PgBouncer in transaction mode) breaks
/// session locks.
/// </summary>
public sealed partial class PostgresLeaseProvider : ILeaseProvider, IDisposable, IAsyncDisposable
{
    /// <summary>How often a held lease checks that its connection (and so its lock) is still alive.</summary>
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(15);

    // A separate pool from the store's: lease connections are held for hours and must not starve the store.
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _checkInterval;

    /// <param name="connectionString">An Npgsql connection string; never logged.</param>
    public PostgresLeaseProvider(
        string connectionString,
        TimeProvider? timeProvider = null,
        ILogger<PostgresLeaseProvider>? logger = null,
        TimeSpan? checkInterval = null)
    {
        _checkInterval = checkInterval ?? DefaultCheckInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_checkInterval, TimeSpan.Zero, nameof(checkInterval));
        _dataSource = PostgresDataSource.Create(connectionString);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async Task<ILease?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // Advisory locks are per database; the schema in the key keeps two deployments that share a database
            // (one schema each, through the connection's search path) from taking each other's leases.
            var schema = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                "SELECT current_schema()", cancellationToken: cancellationToken));
            var key = AdvisoryLockKey.For($"lease:{schema}:{name}");
            var acquired = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT pg_try_advisory_lock(@Key)", new { Key = key }, cancellationToken: cancellationToken));
            if (!acquired)
            {
                await connection.DisposeAsync();
                return null;
            }

            return new PostgresLease(this, name, key, connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public void Dispose() => _dataSource.Dispose();

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {Name} lost: its database session no longer answers")]
    private static partial void LogLost(ILogger logger, string name, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {Name} could not be released cleanly; closing its session releases it")]
    private static partial void LogReleaseFailed(ILogger logger, string name, Exception exception);

    private sealed class PostgresLease : ILease
    {
        private readonly PostgresLeaseProvider _owner;
        private readonly long _key;
        private readonly NpgsqlConnection _connection;
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _watch;
        private int _disposed;

        public PostgresLease(PostgresLeaseProvider owner, string name, long key, NpgsqlConnection connection)
        {
            _owner = owner;
            Name = name;
            _key = key;
            _connection = connection;
            _watch = Task.Run(WatchAsync);
        }

        public string Name { get; }

        public CancellationToken Lost => _lost.Token;

        private async Task WatchAsync()
        {
            var stop = _stop.Token;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(_owner._checkInterval, _owner._time, stop);
                    await _connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: stop));
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogLost(_owner._logger, Name, ex);
                    await _lost.CancelAsync();
                    return;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _stop.CancelAsync();
            await _watch;
            if (!_lost.IsCancellationRequested)
            {
                try
                {
                    await _connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@Key)", new { Key = _key }));
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
                {
                    LogReleaseFailed(_owner._logger, Name, ex);
                }
            }

            // Returning the connection to the pool resets the session (DISCARD ALL), which would release the lock too.
            await _connection.DisposeAsync();
            _stop.Dispose();

            // _lost is left undisposed on purpose: holders may still register on its token after the lease ends.
        }
    }
}
