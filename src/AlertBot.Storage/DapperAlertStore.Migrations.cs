using System.Collections.Concurrent;
using System.Data.Common;
using AlertBot.Core.Persistence;
using AlertBot.Storage.Migrations;
using Dapper;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage;

/// <summary>
/// <see cref="IStoreMigrator"/>: runs the provider's embedded scripts (Migrations/&lt;Provider&gt;) in version order.
/// Each pending script runs in its own write transaction together with its schema_migrations row, and re-checks that
/// row inside the transaction, so instances migrating one database at once apply every script exactly once; a failing
/// script leaves no row (and, where DDL is transactional, no trace). Where the transactions alone do not keep
/// concurrent runs apart, the provider holds a lock for the whole run.
/// </summary>
public abstract partial class DapperAlertStore
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<MigrationScript>> Embedded = new(StringComparer.Ordinal);

    /// <summary>The provider's name as configured (Sqlite, Postgres); it picks the embedded scripts.</summary>
    private protected abstract string Provider { get; }

    /// <summary>CREATE TABLE IF NOT EXISTS schema_migrations (version, name, applied_at) in the provider's types.</summary>
    private protected abstract string HistoryTable { get; }

    /// <summary>Stamps the history rows.</summary>
    private protected abstract TimeProvider Time { get; }

    /// <summary>The one line an operator needs when the database cannot be reached, opened or written; null for any other error.</summary>
    private protected abstract StorageUnavailableException? OperatorError(DbException exception);

    /// <summary>Held from before the history table is created until the run ends; null when none is needed.</summary>
    private protected virtual Task<IAsyncDisposable?> LockMigrationsAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(null);

    /// <exception cref="StorageUnavailableException">
    /// The database cannot be used as configured: a file that cannot be opened or written or is not a database; a wrong
    /// login, a missing database or schema, a server out of reach.
    /// </exception>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await MigrateAsync(Embedded.GetOrAdd(Provider, MigrationCatalog.Load), cancellationToken);
        }
        catch (DbException ex) when (OperatorError(ex) is { } operatorError)
        {
            throw operatorError;
        }
    }

    /// <summary>Applies these scripts instead of the embedded ones (tests bring their own); errors are not translated.</summary>
    internal async Task MigrateAsync(IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var runLock = await LockMigrationsAsync(connection, cancellationToken);
        await connection.ExecuteAsync(Command(HistoryTable, null, cancellationToken));
        var applied = await connection.QueryAsync<(long Version, string Name)>(
            Command("SELECT version, name FROM schema_migrations ORDER BY version", null, cancellationToken));
        var pending = MigrationCatalog.Pending(scripts, applied.Select(a => new AppliedMigration(a.Version, a.Name)).ToList());
        foreach (var script in pending)
        {
            await using var transaction = await BeginWriteAsync(connection, cancellationToken);
            var alreadyApplied = await connection.ExecuteScalarAsync<long>(Command(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { script.Version }, cancellationToken, transaction));
            if (alreadyApplied > 0)
            {
                continue;
            }

            await connection.ExecuteAsync(Command(script.Sql, null, cancellationToken, transaction));
            await connection.ExecuteAsync(Command(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                new { script.Version, script.Name, AppliedAt = ToDb(Time.GetUtcNow()) },
                cancellationToken,
                transaction));
            await transaction.CommitAsync(cancellationToken);
            LogApplied(Logger, Provider, script.Version, script.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Provider} migration {Version} ({Name})")]
    private static partial void LogApplied(ILogger logger, string provider, long version, string name);
}
