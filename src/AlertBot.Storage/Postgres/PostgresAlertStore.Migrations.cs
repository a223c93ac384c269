using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AlertBot.Storage.Postgres;

/// <summary>PostgreSQL's side of the migrations: its history table's types and a lock held for the whole run.</summary>
public sealed partial class PostgresAlertStore
{
    private protected override string HistoryTable =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);";

    /// <remarks>
    /// A session advisory lock for the whole run, so instances starting at once migrate one after another: the later
    /// ones read the history only after the first is done and find nothing pending. (Without it even CREATE TABLE IF
    /// NOT EXISTS can fail when two sessions run it at once.) Keyed by schema too: deployments in separate schemas
    /// migrate independently.
    /// </remarks>
    private protected override async Task<IAsyncDisposable?> LockMigrationsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var schema = await connection.ExecuteScalarAsync<string>(Command("SELECT current_schema()", null, cancellationToken))
            ?? throw PostgresErrors.NoSchema(new NpgsqlConnectionStringBuilder(connection.ConnectionString).SearchPath);
        var key = AdvisoryLockKey.For($"migrations:{schema}");
        await connection.ExecuteAsync(Command("SELECT pg_advisory_lock(@Key)", new { Key = key }, cancellationToken));
        return new MigrationLock(connection, key, Logger);
    }

    private sealed partial class MigrationLock(DbConnection connection, long key, ILogger logger) : IAsyncDisposable
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
