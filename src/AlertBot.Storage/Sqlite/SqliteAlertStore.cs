using System.Data.Common;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlertBot.Storage.Sqlite;

/// <summary>
/// <see cref="IAlertStore"/> on SQLite, for one instance. Every SQLite-specific word of AlertBot lives in this folder
/// and in Migrations/Sqlite; what both databases say alike is in <see cref="DapperAlertStore"/>. One pooled connection
/// per call keeps concurrent callers apart.
/// </summary>
public sealed partial class SqliteAlertStore : DapperAlertStore, IDisposable
{
    private readonly SqliteConnectionFactory _connections;
    private readonly SqliteMigrator _migrator;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string; the file's directory is created if missing.</param>
    /// <param name="timeProvider">Stamps what the callers give no time for (migration history); the system clock when null.</param>
    /// <param name="logger">Null logs nothing.</param>
    public SqliteAlertStore(string connectionString, TimeProvider? timeProvider = null, ILogger<SqliteAlertStore>? logger = null)
        : base(logger ?? (ILogger)NullLogger.Instance)
    {
        _connections = new SqliteConnectionFactory(connectionString);
        _migrator = new SqliteMigrator(_connections, timeProvider ?? TimeProvider.System, logger ?? (ILogger)NullLogger.Instance);
    }

    public override Task MigrateAsync(CancellationToken cancellationToken) => _migrator.MigrateAsync(cancellationToken);

    public void Dispose() => _connections.Dispose();

    private protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _connections.OpenAsync(cancellationToken);

    /// <summary>
    /// Takes SQLite's write lock at BEGIN (IMMEDIATE), so the transaction waits its turn under busy_timeout instead of
    /// failing when a read inside it would have to be upgraded to a write.
    /// </summary>
    private protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((Microsoft.Data.Sqlite.SqliteConnection)connection).BeginTransaction(deferred: false));

    private protected override object ToDb(DateTimeOffset value) => SqliteTime.ToText(value);

    private protected override Task<IReadOnlyList<FeedRecord>> QueryFeedsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<FeedRow, FeedRecord>(
            $"SELECT {FeedRow.Columns} FROM feeds f {where} ORDER BY f.id", param, r => r.ToRecord(), cancellationToken);

    private protected override Task<IReadOnlyList<Channel>> QueryChannelsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<ChannelRow, Channel>(
            $"SELECT {ChannelRow.Columns} FROM channels c {where} ORDER BY c.id", param, r => r.ToRecord(), cancellationToken);

    private protected override Task<IReadOnlyList<WatchTerm>> QueryWatchTermsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<WatchTermRow, WatchTerm>(
            $"SELECT {WatchTermRow.Columns} FROM watch_terms t {where} ORDER BY t.channel_id, t.id", param, r => r.ToRecord(), cancellationToken);
}
