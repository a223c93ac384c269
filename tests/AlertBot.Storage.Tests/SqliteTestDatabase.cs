using AlertBot.Core.Persistence;
using AlertBot.Storage.Migrations;
using AlertBot.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AlertBot.Storage.Tests;

/// <summary>A real SQLite file in its own temporary folder, deleted with everything in it afterwards.</summary>
public sealed class SqliteTestDatabase : TestDatabase
{
    public SqliteTestDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "alertbot-storage-tests", Guid.NewGuid().ToString("N"));
        FilePath = Path.Combine(Folder, "nested", "alertbot.db");
    }

    public override string Provider => SqliteAlertStore.Name;

    public string Folder { get; }

    public string FilePath { get; }

    public override string ConnectionString => $"Data Source={FilePath}";

    public override TimeSpan TimestampResolution => TimeSpan.FromTicks(1);

    public override async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        return (await connection.QueryAsync<T>(sql, param)).ToList();
    }

    public override async Task ExecuteAsync(string sql, object? param = null)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync(sql, param);
    }

    public override Task<IReadOnlyList<string>> ListTablesAsync() =>
        QueryAsync<string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");

    public override async Task MigrateWithAsync(IReadOnlyList<MigrationScript> scripts)
    {
        using var store = new SqliteAlertStore(ConnectionString, Time);
        await store.MigrateAsync(scripts, CancellationToken.None);
    }

    public override Task InitializeAsync() => Task.CompletedTask;

    protected override DapperAlertStore CreateStore() => new SqliteAlertStore(ConnectionString, Time);

    protected override Task DropAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        return Task.CompletedTask;
    }
}
