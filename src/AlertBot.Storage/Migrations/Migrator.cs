using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage.Migrations;

/// <summary>
/// Runs a provider's embedded scripts in version order. Each pending script runs in its own transaction together
/// with its schema_migrations row, and re-checks that row inside the transaction, so instances migrating one database
/// at once apply every script exactly once; a failing script leaves no row (and, where DDL is transactional, no trace).
/// A provider supplies its connection, its history table, how a script's transaction begins and, where the
/// transactions alone do not keep concurrent runs apart, a lock held for the whole run.
/// </summary>
/// <param name="provider">The provider's name as configured (Sqlite, Postgres): picks the embedded scripts.</param>
/// <param name="scripts">The scripts to apply; the embedded ones when null (tests pass their own).</param>
internal abstract partial class Migrator(string provider, TimeProvider time, ILogger logger, IReadOnlyList<MigrationScript>? scripts)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<MigrationScript>> Embedded = new(StringComparer.Ordinal);

    protected ILogger Logger { get; } = logger;

    /// <summary>CREATE TABLE IF NOT EXISTS schema_migrations (version, name, applied_at) in the provider's types.</summary>
    protected abstract string CreateHistoryTable { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The transaction one script and its history row run in.</summary>
    protected abstract Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>A timestamp as the provider's parameters carry it.</summary>
    protected abstract object ToDb(DateTimeOffset value);

    /// <summary>Held from before the history table is created until the run ends; null when none is needed.</summary>
    protected virtual Task<IAsyncDisposable?> LockRunAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(null);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var runLock = await LockRunAsync(connection, cancellationToken);
        await connection.ExecuteAsync(Command(CreateHistoryTable, null, null, cancellationToken));
        var applied = await connection.QueryAsync<(long Version, string Name)>(
            Command("SELECT version, name FROM schema_migrations ORDER BY version", null, null, cancellationToken));
        var pending = MigrationCatalog.Pending(scripts ?? Embedded.GetOrAdd(provider, MigrationCatalog.Load), applied.Select(a => new AppliedMigration(a.Version, a.Name)).ToList());
        foreach (var script in pending)
        {
            await using var transaction = await BeginAsync(connection, cancellationToken);
            var alreadyApplied = await connection.ExecuteScalarAsync<long>(Command(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { script.Version }, transaction, cancellationToken));
            if (alreadyApplied > 0)
            {
                continue;
            }

            await connection.ExecuteAsync(Command(script.Sql, null, transaction, cancellationToken));
            await connection.ExecuteAsync(Command(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                new { script.Version, script.Name, AppliedAt = ToDb(time.GetUtcNow()) },
                transaction,
                cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            LogApplied(Logger, provider, script.Version, script.Name);
        }
    }

    protected static CommandDefinition Command(string sql, object? param, DbTransaction? transaction, CancellationToken cancellationToken) =>
        new(sql, param, transaction, cancellationToken: cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Provider} migration {Version} ({Name})")]
    private static partial void LogApplied(ILogger logger, string provider, long version, string name);
}
