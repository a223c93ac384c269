using AlertBot.Core.Persistence;
using AlertBot.Storage.Migrations;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Storage.Tests;

/// <summary>
/// A fresh, empty database of one provider for one test (xunit makes a test class instance per test), dropped
/// afterwards with every store opened on it. The shared store tests take one of these, so the same tests run on
/// every provider.
/// </summary>
public abstract class TestDatabase : IAsyncLifetime
{
    private readonly List<DapperAlertStore> _stores = [];

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 26, 9, 30, 0, TimeSpan.Zero));

    public abstract string Provider { get; }

    public abstract string ConnectionString { get; }

    /// <summary>The finest time step the provider stores; a timestamp comes back truncated to it.</summary>
    public abstract TimeSpan TimestampResolution { get; }

    /// <summary>A store on this database, not yet migrated; disposed with the database.</summary>
    public DapperAlertStore NewStore() => Track(CreateStore());

    /// <summary>A store on this database with the schema in place.</summary>
    public async Task<DapperAlertStore> NewMigratedStoreAsync()
    {
        var store = NewStore();
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    /// <summary>Ends one store as a stopping host would.</summary>
    public static async Task DisposeStoreAsync(DapperAlertStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>Straight SQL against the database, for what the store port does not show.</summary>
    public abstract Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null);

    public abstract Task ExecuteAsync(string sql, object? param = null);

    /// <summary>The names of the tables in the store's schema.</summary>
    public abstract Task<IReadOnlyList<string>> ListTablesAsync();

    /// <summary>Runs the provider's migrator with these scripts instead of the embedded ones.</summary>
    public abstract Task MigrateWithAsync(IReadOnlyList<MigrationScript> scripts);

    public abstract Task InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await DisposeStoreAsync(store);
        }

        await DropAsync();
    }

    protected abstract DapperAlertStore CreateStore();

    /// <summary>Disposes the store with the database.</summary>
    protected T Track<T>(T store)
        where T : DapperAlertStore
    {
        _stores.Add(store);
        return store;
    }

    protected abstract Task DropAsync();
}

/// <summary>The base of every test class that runs on a <see cref="TestDatabase"/>.</summary>
public abstract class StoreTests(TestDatabase db) : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected TestDatabase Db { get; } = db;

    public Task InitializeAsync() => Db.InitializeAsync();

    public Task DisposeAsync() => Db.DisposeAsync();
}
