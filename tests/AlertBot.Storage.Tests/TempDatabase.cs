using AlertBot.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Storage.Tests;

/// <summary>A real SQLite file in its own temporary folder, deleted with everything in it afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly List<SqliteAlertStore> _stores = [];

    public TempDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "alertbot-storage-tests", Guid.NewGuid().ToString("N"));
        FilePath = Path.Combine(Folder, "nested", "alertbot.db");
    }

    public string Folder { get; }

    public string FilePath { get; }

    public string ConnectionString => $"Data Source={FilePath}";

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 26, 9, 30, 0, TimeSpan.Zero));

    /// <summary>A store on this file, not yet migrated; disposed with the database.</summary>
    public SqliteAlertStore NewStore()
    {
        var store = new SqliteAlertStore(ConnectionString, Time);
        _stores.Add(store);
        return store;
    }

    /// <summary>A store on this file with the schema in place.</summary>
    public async Task<SqliteAlertStore> NewMigratedStoreAsync()
    {
        var store = NewStore();
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    /// <summary>Straight SQL against the file, for what the store port does not show.</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        return (await connection.QueryAsync<T>(sql, param)).ToList();
    }

    public async Task ExecuteAsync(string sql, object? param = null)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync(sql, param);
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
