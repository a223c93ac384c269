using AlertBot.Storage.Migrations;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AlertBot.Storage.Postgres;

/// <summary>
/// Runs the embedded PostgreSQL scripts. The whole run holds a session advisory lock, so instances starting at once
/// migrate one after another: the later ones read the history only after the first is done and find nothing pending.
/// (Without the lock even CREATE TABLE IF NOT EXISTS can fail when two sessions run it at once.) Each script runs in
/// its own transaction together with its schema_migrations row; PostgreSQL's DDL is transactional, so a failing
/// script leaves no trace.
/// </summary>
/// <param name="scripts">The scripts to apply; the embedded ones when null (tests pass their own).</param>
internal sealed partial class PostgresMigrator(
    NpgsqlDataSource dataSource,
    TimeProvider time,
    ILogger logger,
    IReadOnlyList<MigrationScript>? scripts = null)
{
    public const string Provider = "Postgres";

    private const string CreateHistoryTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    bigint      PRIMARY KEY,
            name       text        NOT NULL,
            applied_at timestamptz NOT NULL
        );
        """;

    private static readonly Lazy<IReadOnlyList<MigrationScript>> Embedded = new(() => MigrationCatalog.Load(Provider));

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // Advisory locks are per database; keyed by schema too, deployments in separate schemas migrate independently.
        var schema = await connection.ExecuteScalarAsync<string>(Command("SELECT current_schema()", null, null, cancellationToken))
            ?? throw PostgresErrors.NoSchema(new NpgsqlConnectionStringBuilder(connection.ConnectionString).SearchPath);
        var lockKey = AdvisoryLockKey.For($"migrations:{schema}");
        await connection.ExecuteAsync(Command("SELECT pg_advisory_lock(@Key)", new { Key = lockKey }, null, cancellationToken));
        try
        {
            await connection.ExecuteAsync(Command(CreateHistoryTable, null, null, cancellationToken));
            var applied = await connection.QueryAsync<(long Version, string Name)>(
                Command("SELECT version, name FROM schema_migrations ORDER BY version", null, null, cancellationToken));
            var pending = MigrationCatalog.Pending(
                scripts ?? Embedded.Value, applied.Select(a => new AppliedMigration(a.Version, a.Name)).ToList());
            foreach (var script in pending)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(Command(script.Sql, null, transaction, cancellationToken));
                await connection.ExecuteAsync(Command(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                    new { script.Version, script.Name, AppliedAt = PostgresTime.ToDb(time.GetUtcNow()) },
                    transaction,
                    cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                LogApplied(logger, script.Version, script.Name);
            }
        }
        finally
        {
            await UnlockAsync(connection, lockKey);
        }
    }

    private async Task UnlockAsync(NpgsqlConnection connection, long lockKey)
    {
        try
        {
            // Not cancellable: a cancelled migration must still let the other instances in.
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@Key)", new { Key = lockKey }));
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The session is broken, and the server dropped its locks with it; the migration's own error matters more.
            LogUnlockFailed(logger, ex);
        }
    }

    private static CommandDefinition Command(string sql, object? param, NpgsqlTransaction? transaction, CancellationToken cancellationToken) =>
        new(sql, param, transaction, cancellationToken: cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied PostgreSQL migration {Version} ({Name})")]
    private static partial void LogApplied(ILogger logger, long version, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the migration lock; the broken session released it")]
    private static partial void LogUnlockFailed(ILogger logger, Exception exception);
}
