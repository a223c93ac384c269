using System.Data.Common;
using AlertBot.Core.Actions;
using AlertBot.Core.Persistence;
using AlertBot.Core.Retention;
using AlertBot.Core.Stories;
using Dapper;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage;

/// <summary>
/// The store's ports in SQL that SQLite and PostgreSQL both speak, one partial file per aggregate
/// (<c>DapperAlertStore.Feeds.cs</c>, <c>.Polls.cs</c>, <c>.Channels.cs</c>, <c>.Watchlists.cs</c>, <c>.Outbox.cs</c>,
/// <c>.Stories.cs</c>, <c>.Actions.cs</c>, <c>.State.cs</c>, <c>.Retention.cs</c>, <c>.Migrations.cs</c>), plus the plumbing here (one pooled
/// connection per call, write transactions). Where the dialects differ a statement asks this class's hooks (how a
/// timestamp or a list travels, which rows to lock); each provider (a sibling folder) supplies them, its connections,
/// its migration history table, how it inserts outbox rows in bulk, and how it claims them, where the concurrency models really differ.
/// </summary>
public abstract partial class DapperAlertStore :
    IStoreMigrator, IFeedStore, IPollStore, IChannelStore, IWatchlistStore, IOutboxStore, IStateStore,
    IStoryStore, IAlertActionStore, IRetentionStore
{
    private protected DapperAlertStore(ILogger logger) => Logger = logger;

    private protected ILogger Logger { get; }

    // ---- What each provider supplies ---------------------------------------------------------------------------

    private protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A transaction for a read-then-write unit, begun so that it cannot fail half-way for lock reasons.</summary>
    private protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>A timestamp as the provider's parameters carry it.</summary>
    private protected abstract object ToDb(DateTimeOffset value);

    /// <summary>A list as one parameter, for <see cref="ValuesOf"/> and <see cref="AnyOf"/>: however many values, one parameter.</summary>
    private protected abstract object ToDbList<T>(IEnumerable<T> values);

    /// <summary>A table expression whose one column, <c>value</c>, holds the values of the list parameter <paramref name="parameter"/>.</summary>
    private protected abstract string ValuesOf(string parameter);

    /// <summary>SQL true when <paramref name="column"/> equals one of the values of the list parameter <paramref name="parameter"/>.</summary>
    private protected virtual string AnyOf(string column, string parameter) => $"{column} IN (SELECT value FROM {ValuesOf(parameter)})";

    /// <summary>A parameter holding JSON text, as the payload column takes it.</summary>
    private protected virtual string Json(string parameter) => parameter;

    /// <summary>The number of bits in which two stored 64-bit SimHashes differ.</summary>
    private protected abstract string Hamming(string left, string right);

    /// <summary>What MoveChannelAsync appends to its SELECT of the two channel rows to lock them ("" where the transaction already excludes everyone).</summary>
    private protected virtual string LockRows => "";

    /// <summary>What a SELECT of one outbox row appends to keep others from changing it until commit ("" where the transaction already excludes everyone).</summary>
    private protected virtual string LockForUpdate => "";

    /// <summary>What a SET clause that ends an attempt appends to give up the row's claim ("" where rows are not claimed).</summary>
    private protected virtual string ReleaseClaim => "";

    // ---- Plumbing ----------------------------------------------------------------------------------------------

    private protected static CommandDefinition Command(string sql, object? param, CancellationToken cancellationToken, DbTransaction? transaction = null) =>
        new(sql, param, transaction, cancellationToken: cancellationToken);

    private protected async Task<int> ExecuteAsync(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(Command(sql, param, cancellationToken));
    }

    private protected async Task<T> ScalarAsync<T>(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.ExecuteScalarAsync<T>(Command(sql, param, cancellationToken)))!;
    }

    private protected async Task<IReadOnlyList<TRecord>> QueryRecordsAsync<TRow, TRecord>(
        string sql, object? param, Func<TRow, TRecord> toRecord, CancellationToken cancellationToken) =>
        (await QueryAsync<TRow>(sql, param, cancellationToken)).Select(toRecord).ToList();

    private protected async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync<T>(Command(sql, param, cancellationToken))).ToList();
    }

    private protected async Task<T> InWriteTransactionAsync<T>(
        Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
