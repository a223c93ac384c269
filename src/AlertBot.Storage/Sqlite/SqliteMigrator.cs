using AlertBot.Storage.Migrations;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage.Sqlite;

/// <summary>
/// Runs the embedded SQLite scripts. Each pending script runs in its own IMMEDIATE transaction together with its
/// schema_migrations row, and re-checks that row inside the transaction, so two processes migrating the same file
/// at once apply every script exactly once.
/// </summary>
/// <param name="scripts">The scripts to apply; the embedded ones when null (tests pass their own).</param>
internal sealed partial class SqliteMigrator(
    SqliteConnectionFactory connections,
    TimeProvider time,
    ILogger logger,
    IReadOnlyList<MigrationScript>? scripts = null)
{
    public const string Provider = "Sqlite";

    private const string CreateHistoryTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at TEXT    NOT NULL
        ) STRICT;
        """;

    private static readonly Lazy<IReadOnlyList<MigrationScript>> Embedded = new(() => MigrationCatalog.Load(Provider));

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CreateHistoryTable, cancellationToken: cancellationToken));

        var applied = await ReadAppliedAsync(connection, null, cancellationToken);
        var pending = MigrationCatalog.Pending(scripts ?? Embedded.Value, applied);
        foreach (var script in pending)
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            var alreadyApplied = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version",
                new { script.Version },
                transaction,
                cancellationToken: cancellationToken));
            if (alreadyApplied > 0)
            {
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(script.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                new { script.Version, script.Name, AppliedAt = SqliteTime.ToText(time.GetUtcNow()) },
                transaction,
                cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            LogApplied(logger, script.Version, script.Name);
        }
    }

    /// <summary>What the database records as applied (empty before the first migration).</summary>
    public static async Task<IReadOnlyList<AppliedMigration>> ReadAppliedAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(long Version, string Name)>(new CommandDefinition(
            "SELECT version, name FROM schema_migrations ORDER BY version",
            transaction: transaction,
            cancellationToken: cancellationToken));
        return rows.Select(r => new AppliedMigration(r.Version, r.Name)).ToList();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied SQLite migration {Version} ({Name})")]
    private static partial void LogApplied(ILogger logger, long version, string name);
}
