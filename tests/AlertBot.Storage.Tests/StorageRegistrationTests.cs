using AlertBot.Core.Actions;
using AlertBot.Core.Persistence;
using AlertBot.Core.Retention;
using AlertBot.Core.Stories;
using AlertBot.Storage.Leases;
using AlertBot.Storage.Postgres;
using AlertBot.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertBot.Storage.Tests;

internal static class StorageServices
{
    public static ServiceProvider Build(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return new ServiceCollection().AddAlertBotStorage(configuration).BuildServiceProvider();
    }

    /// <summary>Every store port resolves to the one store.</summary>
    public static void AssertEveryPortIs(DapperAlertStore store, ServiceProvider services)
    {
        Assert.Same(store, services.GetRequiredService<DapperAlertStore>());
        Assert.Same(store, services.GetRequiredService<IStoreMigrator>());
        Assert.Same(store, services.GetRequiredService<IFeedStore>());
        Assert.Same(store, services.GetRequiredService<IPollStore>());
        Assert.Same(store, services.GetRequiredService<IChannelStore>());
        Assert.Same(store, services.GetRequiredService<IWatchlistStore>());
        Assert.Same(store, services.GetRequiredService<IOutboxStore>());
        Assert.Same(store, services.GetRequiredService<IStateStore>());
        Assert.Same(store, services.GetRequiredService<IStoryStore>());
        Assert.Same(store, services.GetRequiredService<IAlertActionStore>());
        Assert.Same(store, services.GetRequiredService<IRetentionStore>());
    }
}

public sealed class StorageRegistrationTests
{
    private static ServiceProvider CreateSut(params (string Key, string? Value)[] settings) => StorageServices.Build(settings);

    [Fact]
    public void Defaults_are_sqlite_in_the_data_folder()
    {
        using var services = CreateSut();

        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;

        Assert.Equal("Sqlite", options.Provider);
        Assert.Equal("Data Source=data/alertbot.db", options.ConnectionString);
    }

    [Theory]
    [InlineData("AlertBot:Storage:Provider", "Oracle", "AlertBot:Storage:Provider")]
    [InlineData("AlertBot:Storage:ConnectionString", "", "AlertBot:Storage:ConnectionString")]
    [InlineData("AlertBot:Storage:ConnectionString", "Data Source=x.db;Colour=blue", "AlertBot:Storage:ConnectionString")]
    [InlineData("AlertBot:Storage:ConnectionString", "Mode=ReadOnly", "AlertBot:Storage:ConnectionString")]
    public void A_bad_setting_fails_validation_naming_the_key(string key, string value, string named)
    {
        using var services = CreateSut((key, value));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db.internal;Password=hunter2;Colour=blue")]
    [InlineData("Password=hunter2;Database=alertbot")]
    [InlineData("Data Source=data/alertbot.db")]
    public void A_bad_postgres_connection_string_fails_validation_naming_the_key_and_never_the_password(string connectionString)
    {
        using var services = CreateSut(("AlertBot:Storage:Provider", "Postgres"), ("AlertBot:Storage:ConnectionString", connectionString));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains("AlertBot:Storage:ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_postgres_claim_lease_that_is_not_positive_fails_validation_naming_the_key()
    {
        using var services = CreateSut(
            ("AlertBot:Storage:Provider", "Postgres"),
            ("AlertBot:Storage:ConnectionString", "Host=127.0.0.1;Database=alertbot"),
            ("AlertBot:Storage:OutboxClaimLease", "00:00:00"));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains("AlertBot:Storage:OutboxClaimLease", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_private_in_memory_database_is_refused_because_it_would_vanish_between_calls()
    {
        Assert.Throws<ArgumentException>(() => new SqliteAlertStore("Data Source=:memory:"));
    }

    [Fact]
    public async Task A_shared_in_memory_database_works_for_as_long_as_the_store_lives()
    {
        using var store = new SqliteAlertStore($"Data Source=mem-{Guid.NewGuid():N};Mode=Memory;Cache=Shared");

        await store.MigrateAsync(CancellationToken.None);
        await store.SetStateAsync("k", "v", CancellationToken.None);

        Assert.Equal("v", await store.GetStateAsync("k", CancellationToken.None));
    }
}

public sealed class SqliteRegistrationTests() : StoreTests(new SqliteTestDatabase())
{
    [StoreFact]
    public async Task The_configured_store_is_one_working_singleton_with_an_in_process_lease_provider()
    {
        await using var services = StorageServices.Build(("AlertBot:Storage:ConnectionString", Db.ConnectionString));

        var store = services.GetRequiredService<DapperAlertStore>();
        await store.MigrateAsync(None);
        await store.SetStateAsync("k", "v", None);

        Assert.IsType<SqliteAlertStore>(store);
        StorageServices.AssertEveryPortIs(store, services);
        Assert.Equal("v", await Db.NewStore().GetStateAsync("k", None));
        Assert.IsType<InProcessLeaseProvider>(services.GetRequiredService<ILeaseProvider>());
    }
}

public sealed class PostgresRegistrationTests() : StoreTests(new PostgresTestDatabase()), IUsesPostgres
{
    private PostgresTestDatabase Pg => (PostgresTestDatabase)Db;

    [StoreFact]
    public async Task Postgres_in_any_case_registers_the_postgres_store_and_advisory_lock_leases()
    {
        await using var services = StorageServices.Build(
            ("AlertBot:Storage:Provider", "postgres"),
            ("AlertBot:Storage:ConnectionString", Db.ConnectionString));

        var store = services.GetRequiredService<DapperAlertStore>();
        await store.MigrateAsync(None);
        await store.SetStateAsync("k", "v", None);
        await using var lease = await services.GetRequiredService<ILeaseProvider>().TryAcquireAsync("telegram-poller", None);

        Assert.IsType<PostgresAlertStore>(store);
        StorageServices.AssertEveryPortIs(store, services);
        Assert.Equal("v", await Db.NewStore().GetStateAsync("k", None));
        Assert.NotNull(lease);
        await using var other = Pg.NewLeaseProvider();
        Assert.Null(await other.TryAcquireAsync("telegram-poller", None));
    }
}
