using System.Data.Common;
using System.Text.Json;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlertBot.Storage.Sqlite;

/// <summary>
/// The store's ports on SQLite, for one instance. Every SQLite-specific word of AlertBot lives in this folder and in
/// Migrations/Sqlite (lists travel as one JSON array read by <c>json_each</c>; timestamps as fixed-width text); what
/// both databases say alike is in <see cref="DapperAlertStore"/>. One pooled connection per call keeps concurrent
/// callers apart.
/// </summary>
public sealed partial class SqliteAlertStore : DapperAlertStore, IDisposable
{
    private readonly SqliteConnectionFactory _connections;
    private readonly InProcessStoryLocks _storyLocks = new();

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string; the file's directory is created if missing.</param>
    /// <param name="timeProvider">Stamps what the callers give no time for (migration history); the system clock when null.</param>
    /// <param name="logger">Null logs nothing.</param>
    public SqliteAlertStore(string connectionString, TimeProvider? timeProvider = null, ILogger<SqliteAlertStore>? logger = null)
        : base(logger ?? (ILogger)NullLogger.Instance)
    {
        _connections = new SqliteConnectionFactory(connectionString);
        Time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>What <c>AlertBot:Storage:Provider</c> says for SQLite; also the folder of its migrations.</summary>
    public const string Name = "Sqlite";

    private protected override string Provider => Name;

    private protected override TimeProvider Time { get; }

    // Each script's transaction is IMMEDIATE (BeginWriteAsync), so two processes migrating one file take turns.
    private protected override string HistoryTable =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;";

    private protected override StorageUnavailableException? OperatorError(DbException exception) =>
        exception is Microsoft.Data.Sqlite.SqliteException sqlite ? SqliteErrors.Translate(sqlite, _connections.FilePath) : null;

    /// <summary>
    /// A consistent copy of the whole database into <paramref name="path"/> (replaced if it exists), made with SQLite's
    /// online backup API while other connections keep reading and writing. The copy is a plain database file, not in
    /// WAL mode, ready to be put in place of the original.
    /// </summary>
    public async Task BackupAsync(string path, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(path);
        if (_connections.FilePath is { } source && string.Equals(source, target, StringComparison.Ordinal))
        {
            throw new IOException("the backup cannot replace the database it copies");
        }

        var temporary = target + ".partial";
        await using (var from = await _connections.OpenAsync(cancellationToken))
        await using (var to = new Microsoft.Data.Sqlite.SqliteConnection(
            new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
        {
            await to.OpenAsync(cancellationToken);
            from.BackupDatabase(to);
            await using var command = to.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = DELETE;";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // Whole or not at all: a reader of the target never sees half a copy.
        File.Move(temporary, target, overwrite: true);
    }

    public void Dispose()
    {
        _connections.Dispose();
        _storyLocks.Dispose();
    }

    private protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _connections.OpenAsync(cancellationToken);

    /// <summary>
    /// Takes SQLite's write lock at BEGIN (IMMEDIATE), so the transaction waits its turn under busy_timeout instead of
    /// failing when a read inside it would have to be upgraded to a write.
    /// </summary>
    private protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((Microsoft.Data.Sqlite.SqliteConnection)connection).BeginTransaction(deferred: false));

    private protected override object ToDb(DateTimeOffset value) => SqliteTime.ToText(value);

    private protected override object ToDbList<T>(IEnumerable<T> values) => JsonSerializer.Serialize(values);

    private protected override string ValuesOf(string parameter) => $"json_each({parameter})";

    // SQLite has no popcount: every connection gets this function (SqliteConnectionFactory).
    private protected override string Hamming(string left, string right) => $"alertbot_hamming({left}, {right})";
}
