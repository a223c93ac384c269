using System.Data.Common;
using AlertBot.Storage.Migrations;

namespace AlertBot.Storage.Tests;

public abstract class MigrationTests(TestDatabase db) : StoreTests(db)
{
    private Task<DapperAlertStore> CreateSut() => Db.NewMigratedStoreAsync();

    [StoreFact]
    public async Task Migrating_an_empty_database_creates_the_tables_and_records_every_version()
    {
        await CreateSut();

        var applied = await Db.QueryAsync<(long Version, string Name)>("SELECT version, name FROM schema_migrations ORDER BY version");
        var known = MigrationCatalog.Load(Db.Provider);
        Assert.Equal(known.Select(k => (k.Version, k.Name)), applied);
        Assert.Equal((1L, "initial"), applied[0]);

        var tables = await Db.ListTablesAsync();
        foreach (var table in new[] { "feeds", "channels", "channel_feeds", "watch_terms", "seen_items", "outbox", "state", "counters", "schema_migrations" })
        {
            Assert.Contains(table, tables);
        }
    }

    [StoreFact]
    public async Task Migrating_again_changes_nothing_and_keeps_the_data()
    {
        var store = await CreateSut();
        await store.SetStateAsync("offset", "42", None);

        await store.MigrateAsync(None);
        await Db.NewMigratedStoreAsync();

        Assert.Equal((long)MigrationCatalog.Load(Db.Provider).Count, (await Db.QueryAsync<long>("SELECT COUNT(*) FROM schema_migrations")).Single());
        Assert.Equal("42", await store.GetStateAsync("offset", None));
    }

    [StoreFact]
    public async Task Stores_migrating_the_same_database_at_once_apply_each_script_once()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => Db.NewStore()).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(None))));

        Assert.Equal(
            MigrationCatalog.Load(Db.Provider).Count,
            (await Db.QueryAsync<long>("SELECT COUNT(*) FROM schema_migrations")).Single());
        await stores[3].SetStateAsync("k", "v", None);
        Assert.Equal("v", await stores[0].GetStateAsync("k", None));
    }

    [StoreFact]
    public async Task Alerts_queued_before_the_stories_migration_are_still_delivered_as_alerts()
    {
        await Db.MigrateWithAsync(MigrationCatalog.Load(Db.Provider).Take(1).ToList());
        var store = Db.NewStore();
        var now = Db.Time.GetUtcNow();
        var channel = await store.EnsureChannelAsync(Samples.Telegram, null, now, None);
        await store.AddWatchTermAsync(channel.Id, "Qaani", now, None);
        var payload = Db is SqliteTestDatabase ? "@Payload" : "@Payload::json";
        await Db.ExecuteAsync(
            $"INSERT INTO outbox (channel_id, item_key, payload, created_at, next_attempt_at) VALUES (@Channel, 'old', {payload}, @At, @At)",
            new { Channel = channel.Id, Payload = Outbox.AlertMessageJson.Serialize(Samples.Message("Old")), At = StoredAt(now) });

        await store.MigrateAsync(None);

        var entry = Assert.Single(await store.ClaimDueAsync(now, 10, None));
        Assert.Equal(("old", Core.Alerts.OutboxKind.Alert, "Old"), (entry.ItemKey, entry.Kind, entry.Message.Title));
        var stories = Assert.IsAssignableFrom<Core.Stories.IStoryStore>(store);
        Assert.Equal(Core.Digests.DigestMode.Off, (await stories.GetDigestModesAsync([channel.Id], None)).GetValueOrDefault(channel.Id));
        Assert.Empty(await stories.ListPriorityTermsAsync([channel.Id], None));
        Assert.Empty(await stories.ListStoryAlertsAsync([channel.Id], now.AddDays(-1), None));
    }

    /// <summary>A timestamp as the provider's raw SQL parameters carry it (SQLite: fixed-width UTC text).</summary>
    private object StoredAt(DateTimeOffset value) =>
        Db is SqliteTestDatabase ? value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture) : value.UtcDateTime;

    [StoreFact]
    public async Task A_database_migrated_by_newer_code_is_refused_with_a_clear_error()
    {
        var store = await CreateSut();
        await Db.ExecuteAsync(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_the_future', @At)",
            new { At = DateTime.UtcNow });

        var error = await Assert.ThrowsAsync<StorageSchemaException>(() => store.MigrateAsync(None));

        Assert.Contains("9999", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_failing_script_is_rolled_back_whole_and_the_scripts_before_it_stay_applied()
    {
        MigrationScript[] scripts =
        [
            new(1, "first", "CREATE TABLE one (id INTEGER PRIMARY KEY);"),
            new(2, "broken", "CREATE TABLE two (id INTEGER PRIMARY KEY); INSERT INTO missing_table VALUES (1);"),
            new(3, "third", "CREATE TABLE three (id INTEGER PRIMARY KEY);"),
        ];

        await Assert.ThrowsAnyAsync<DbException>(() => Db.MigrateWithAsync(scripts));

        Assert.Equal([1L], await Db.QueryAsync<long>("SELECT version FROM schema_migrations"));
        Assert.Equal(["one"], (await Db.ListTablesAsync()).Where(t => t is "one" or "two" or "three"));

        scripts[1] = new(2, "fixed", "CREATE TABLE two (id INTEGER PRIMARY KEY);");
        await Db.MigrateWithAsync(scripts);

        Assert.Equal([1L, 2L, 3L], await Db.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"));
        Assert.Equal(["one", "three", "two"], (await Db.ListTablesAsync()).Where(t => t is "one" or "two" or "three"));
    }

    [StoreFact]
    public void Scripts_are_embedded_and_numbered_from_one()
    {
        var scripts = MigrationCatalog.Load(Db.Provider);

        Assert.Equal(1L, scripts[0].Version);
        Assert.Contains("CREATE TABLE outbox", scripts[0].Sql, StringComparison.Ordinal);
    }
}

public sealed class SqliteMigrationTests() : MigrationTests(new SqliteTestDatabase())
{
    private SqliteTestDatabase Sqlite => (SqliteTestDatabase)Db;

    [StoreFact]
    public async Task Migrating_creates_the_files_folder_and_stamps_the_history_in_sqlite_time_text()
    {
        Assert.False(Directory.Exists(Path.GetDirectoryName(Sqlite.FilePath)));

        await Db.NewMigratedStoreAsync();

        Assert.True(File.Exists(Sqlite.FilePath));
        Assert.Equal(["2026-03-26T09:30:00.0000000Z"], await Db.QueryAsync<string>("SELECT DISTINCT applied_at FROM schema_migrations"));
    }

    [StoreFact]
    public async Task The_database_is_in_wal_mode()
    {
        await Db.NewMigratedStoreAsync();

        Assert.Equal("wal", (await Db.QueryAsync<string>("PRAGMA journal_mode")).Single());
    }
}

public sealed class PostgresMigrationTests() : MigrationTests(new PostgresTestDatabase()), IUsesPostgres
{
    [StoreFact]
    public async Task The_history_is_stamped_with_the_clock_as_timestamptz()
    {
        await Db.NewMigratedStoreAsync();

        Assert.Equal([Db.Time.GetUtcNow().UtcDateTime], await Db.QueryAsync<DateTime>("SELECT DISTINCT applied_at FROM schema_migrations"));
    }

    [StoreFact]
    public async Task Migrators_starting_together_take_turns_under_the_advisory_lock()
    {
        // The first script holds the lock a while, so the others really arrive while it runs. Without the lock two
        // would both find version 1 pending and the second CREATE TABLE would fail.
        MigrationScript[] scripts =
        [
            new(1, "slow", "SELECT pg_sleep(0.3); CREATE TABLE one (id bigint PRIMARY KEY);"),
            new(2, "second", "CREATE TABLE two (id bigint PRIMARY KEY);"),
        ];

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Db.MigrateWithAsync(scripts))));

        Assert.Equal([1L, 2L], await Db.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"));
        Assert.Empty(await Db.QueryAsync<int>(
            """
            SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND a.application_name = current_setting('application_name')
            """));
    }
}

public sealed class MigrationCatalogTests
{
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
    public void Each_provider_has_its_own_scripts_and_an_unknown_provider_has_none()
    {
        Assert.DoesNotContain("STRICT", MigrationCatalog.Load("Postgres")[0].Sql, StringComparison.Ordinal);
        Assert.Contains("STRICT", MigrationCatalog.Load("Sqlite")[0].Sql, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => MigrationCatalog.Load("Oracle"));
    }
}
