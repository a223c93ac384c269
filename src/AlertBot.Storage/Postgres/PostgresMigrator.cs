using System.Data.Common;
using AlertBot.Storage.Migrations;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AlertBot.Storage.Postgres;

/// <summary>
/// The PostgreSQL scripts. The whole run holds a session advisory lock, so instances starting at once migrate one after
/// another: the later ones read the history only after the first is done and find nothing pending. (Without the lock
/// even CREATE TABLE IF NOT EXISTS can fail when two sessions run it at once.) PostgreSQL's DDL is transactional, so a
/// failing script leaves no trace.
/// </summary>
internal sealed partial class PostgresMigrator(
    NpgsqlDataSource dataSource,
    TimeProvider time,
    ILogger logger,
    IReadOnlyList<MigrationScript>? scripts = null) : Migrator(Provider, time, logger, scripts)
{
    public const string Provider = "Postgres";

    protected override string CreateHistoryTable =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await dataSource.OpenConnectionAsync(cancellationToken);

    protected override async Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken);

    protected override object ToDb(DateTimeOffset value) => PostgresTime.ToDb(value);

    /// <remarks>Advisory locks are per database; keyed by schema too, deployments in separate schemas migrate independently.</remarks>
    protected override async Task<IAsyncDisposable?> LockRunAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var schema = await connection.ExecuteScalarAsync<string>(Command("SELECT current_schema()", null, null, cancellationToken))
            ?? throw PostgresErrors.NoSchema(new NpgsqlConnectionStringBuilder(connection.ConnectionString).SearchPath);
        var key = AdvisoryLockKey.For($"migrations:{schema}");
        await connection.ExecuteAsync(Command("SELECT pg_advisory_lock(@Key)", new { Key = key }, null, cancellationToken));
        return new RunLock(connection, key, Logger);
    }

    private sealed partial class RunLock(DbConnection connection, long key, ILogger logger) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // Not cancellable: a cancelled migration must still let the other instances in.
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@Key)", new { Key = key }));
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The session is broken, and the server dropped its locks with it; the migration's own error matters more.
                LogUnlockFailed(logger, ex);
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the migration lock; the broken session released it")]
        private static partial void LogUnlockFailed(ILogger logger, Exception exception);
    }
}
