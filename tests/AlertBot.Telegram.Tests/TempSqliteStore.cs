using AlertBot.Storage.Sqlite;

namespace AlertBot.Telegram.Tests;

/// <summary>A migrated SQLite store on a file in its own temporary folder, removed on dispose.</summary>
public sealed class TempSqliteStore : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("alertbot-telegram-");

    private TempSqliteStore()
    {
        ConnectionString = $"Data Source={Path.Combine(_directory.FullName, "alertbot.db")};Pooling=False";
        Store = new SqliteAlertStore(ConnectionString);
    }

    public string ConnectionString { get; }

    public SqliteAlertStore Store { get; }

    public static async Task<TempSqliteStore> CreateAsync()
    {
        var temp = new TempSqliteStore();
        await temp.Store.MigrateAsync(CancellationToken.None);
        return temp;
    }

    public void Dispose()
    {
        Store.Dispose();
        _directory.Delete(recursive: true);
    }
}
