using System.Data.Common;
using AlertBot.Storage.Migrations;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage.Sqlite;

/// <summary>
/// The SQLite scripts. Each script's transaction is IMMEDIATE (it takes the write lock at BEGIN), so two processes
/// migrating the same file take turns, and the second finds the first's history row.
/// </summary>
internal sealed class SqliteMigrator(
    SqliteConnectionFactory connections,
    TimeProvider time,
    ILogger logger,
    IReadOnlyList<MigrationScript>? scripts = null) : Migrator(Provider, time, logger, scripts)
{
    public const string Provider = "Sqlite";

    protected override string CreateHistoryTable =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await connections.OpenAsync(cancellationToken);

    protected override Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((Microsoft.Data.Sqlite.SqliteConnection)connection).BeginTransaction(deferred: false));

    protected override object ToDb(DateTimeOffset value) => SqliteTime.ToText(value);
}
