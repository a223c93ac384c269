using AlertBot.Storage.Migrations;
using AlertBot.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlertBot.Storage.Tests;

public sealed class MigrationTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private Task<SqliteAlertStore> CreateSut() => _db.NewMigratedStoreAsync();

    [Fact]
    public async Task Migrating_an_empty_file_creates_the_folder_the_tables_and_records_every_version()
    {
        Assert.False(Directory.Exists(Path.GetDirectoryName(_db.FilePath)));

        await CreateSut();

        Assert.True(File.Exists(_db.FilePath));
        var applied = await _db.QueryAsync<(long Version, string Name, string AppliedAt)>(
            "SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
        var known = MigrationCatalog.Load("Sqlite");
        Assert.Equal(known.Select(k => (k.Version, k.Name)), applied.Select(a => (a.Version, a.Name)));
        Assert.Equal((1L, "initial"), (applied[0].Version, applied[0].Name));
        Assert.Equal("2026-03-26T09:30:00.0000000Z", applied[0].AppliedAt);

        var tables = await _db.QueryAsync<string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
        foreach (var table in new[] { "feeds", "channels", "channel_feeds", "watch_terms", "seen_items", "outbox", "state", "counters" })
        {
            Assert.Contains(table, tables);
        }
    }

    [Fact]
    public async Task The_database_is_in_wal_mode()
    {
        await CreateSut();

        Assert.Equal("wal", (await _db.QueryAsync<string>("PRAGMA journal_mode")).Single());
    }

    [Fact]
    public async Task Migrating_again_changes_nothing_and_keeps_the_data()
    {
        var store = await CreateSut();
        await store.SetStateAsync("offset", "42", CancellationToken.None);

        await store.MigrateAsync(CancellationToken.None);
        await _db.NewMigratedStoreAsync();

        Assert.Equal((long)MigrationCatalog.Load("Sqlite").Count, (await _db.QueryAsync<long>("SELECT COUNT(*) FROM schema_migrations")).Single());
        Assert.Equal("42", await store.GetStateAsync("offset", CancellationToken.None));
    }

    [Fact]
    public async Task Stores_migrating_the_same_file_at_once_apply_each_script_once()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => _db.NewStore()).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(CancellationToken.None))));

        Assert.Equal(
            MigrationCatalog.Load("Sqlite").Count,
            (await _db.QueryAsync<long>("SELECT COUNT(*) FROM schema_migrations")).Single());
    }

    [Fact]
    public async Task A_database_migrated_by_newer_code_is_refused_with_a_clear_error()
    {
        var store = await CreateSut();
        await _db.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_the_future', 'x')");

        var error = await Assert.ThrowsAsync<StorageSchemaException>(() => store.MigrateAsync(CancellationToken.None));

        Assert.Contains("9999", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_script_is_rolled_back_whole_and_the_scripts_before_it_stay_applied()
    {
        using var connections = new SqliteConnectionFactory(_db.ConnectionString);
        MigrationScript[] scripts =
        [
            new(1, "first", "CREATE TABLE one (id INTEGER PRIMARY KEY);"),
            new(2, "broken", "CREATE TABLE two (id INTEGER PRIMARY KEY); INSERT INTO missing_table VALUES (1);"),
            new(3, "third", "CREATE TABLE three (id INTEGER PRIMARY KEY);"),
        ];
        var migrator = new SqliteMigrator(connections, _db.Time, NullLogger.Instance, scripts);

        await Assert.ThrowsAsync<SqliteException>(() => migrator.MigrateAsync(CancellationToken.None));

        Assert.Equal([1L], await _db.QueryAsync<long>("SELECT version FROM schema_migrations"));
        Assert.Equal(["one"], await _db.QueryAsync<string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('one', 'two', 'three')"));

        scripts[1] = new(2, "fixed", "CREATE TABLE two (id INTEGER PRIMARY KEY);");
        await new SqliteMigrator(connections, _db.Time, NullLogger.Instance, scripts).MigrateAsync(CancellationToken.None);

        Assert.Equal([1L, 2L, 3L], await _db.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"));
    }

    [Fact]
    public void Pending_lists_only_the_scripts_not_yet_applied_in_version_order()
    {
        MigrationScript[] known = [new(1, "initial", ""), new(2, "more", ""), new(3, "most", "")];

        var pending = MigrationCatalog.Pending(known, [new AppliedMigration(1, "initial")]);

        Assert.Equal([2L, 3L], pending.Select(p => p.Version));
        Assert.Empty(MigrationCatalog.Pending(known, [new(1, "initial"), new(2, "more"), new(3, "most")]));
        Assert.Throws<StorageSchemaException>(() => MigrationCatalog.Pending(known, [new AppliedMigration(4, "later")]));
    }

    [Fact]
    public void Scripts_are_embedded_and_numbered_from_one()
    {
        var scripts = MigrationCatalog.Load("Sqlite");

        Assert.Equal(1L, scripts[0].Version);
        Assert.Contains("CREATE TABLE outbox", scripts[0].Sql, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => MigrationCatalog.Load("Postgres"));
    }
}
