using System.Numerics;
using Microsoft.Data.Sqlite;

namespace AlertBot.Storage.Sqlite;

/// <summary>
/// Opens one pooled connection per store call with the settings every connection needs. Concurrency comes from
/// SQLite itself: WAL lets readers run beside the one writer, write transactions start with BEGIN IMMEDIATE so they
/// queue for the write lock up front (a deferred one that upgrades can fail at once with "database is locked"),
/// and busy_timeout makes a queued writer wait instead of failing.
/// </summary>
internal sealed class SqliteConnectionFactory : IDisposable
{
    // synchronous=NORMAL: in WAL mode this never corrupts the database and survives a crash of the process; only a
    // power cut or OS crash can lose the last few commits. The outbox design tolerates that (a lost "seen" loses its
    // alerts with it, so the next poll redoes both; a lost "delivered" repeats one send), while FULL would pay an
    // fsync on every commit of every poll.
    private const string PerConnectionPragmas =
        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;";

    private readonly string _connectionString;
    private readonly bool _inMemory;

    // A shared in-memory database lives only while a connection to it is open; this one keeps it alive.
    private readonly SqliteConnection? _keepAlive;
    private int _walSet;

    // Handles (pooled native connections) that already ran the per-connection pragmas; weak, so a handle the pool
    // closes is forgotten.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = [];
    private static readonly object Configured = new();

    public SqliteConnectionFactory(string connectionString)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The SQLite connection string is not valid: {ex.Message}", nameof(connectionString), ex);
        }

        _inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource == ":memory:";
        if (_inMemory && builder.Cache != SqliteCacheMode.Shared)
        {
            throw new ArgumentException(
                "A private in-memory SQLite database is gone when its connection closes; use 'Mode=Memory;Cache=Shared' or a file.",
                nameof(connectionString));
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new ArgumentException("The SQLite connection string names no Data Source.", nameof(connectionString));
        }

        if (!_inMemory)
        {
            FilePath = Path.GetFullPath(builder.DataSource);
            var directory = Path.GetDirectoryName(FilePath);
            if (!string.IsNullOrEmpty(directory))
            {
                try
                {
                    Directory.CreateDirectory(directory);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new StorageUnavailableException(SqliteErrors.FolderNotWritable(FilePath, ex.Message), ex);
                }
            }
        }

        _connectionString = builder.ToString();
        if (_inMemory)
        {
            _keepAlive = new SqliteConnection(_connectionString);
            _keepAlive.Open();
        }
    }

    /// <summary>The database file's full path; null for an in-memory database.</summary>
    public string? FilePath { get; }

    /// <summary>The connection string as opened (for the backup target's settings).</summary>
    public string ConnectionString => _connectionString;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);

            // Story lookups compare SimHashes in SQL (SQLite has no popcount); 64-bit two's complement as stored.
            // Registered on every open: cheap, and it does not rely on a pooled handle keeping it.
            connection.CreateFunction("alertbot_hamming", (long a, long b) => BitOperations.PopCount((ulong)(a ^ b)), isDeterministic: true);

            // The pool hands back the same SQLite handle, whose settings outlive the SqliteConnection object: each
            // handle is set up once, not on every open (that was three statements before every store call).
            if (connection.Handle is { } handle && _configured.TryGetValue(handle, out _))
            {
                return connection;
            }

            await using var command = connection.CreateCommand();

            // The journal mode is stored in the file, so it is set once per store rather than on every open.
            var setWal = !_inMemory && Volatile.Read(ref _walSet) == 0;
            command.CommandText = setWal ? "PRAGMA journal_mode = WAL; " + PerConnectionPragmas : PerConnectionPragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            if (setWal)
            {
                Volatile.Write(ref _walSet, 1);
            }

            if (connection.Handle is { } configured)
            {
                _configured.AddOrUpdate(configured, Configured);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public void Dispose()
    {
        _keepAlive?.Dispose();

        // Pooled connections keep the file (and its -wal/-shm companions) open after the store is gone.
        using var probe = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(probe);
    }
}
