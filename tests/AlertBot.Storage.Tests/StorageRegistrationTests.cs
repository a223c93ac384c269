using AlertBot.Core.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertBot.Storage.Tests;

public sealed class StorageRegistrationTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private static ServiceProvider CreateSut(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return new ServiceCollection().AddAlertBotStorage(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Defaults_are_sqlite_in_the_data_folder()
    {
        using var services = CreateSut();

        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;

        Assert.Equal("Sqlite", options.Provider);
        Assert.Equal("Data Source=data/alertbot.db", options.ConnectionString);
    }

    [Fact]
    public async Task The_configured_store_is_one_working_singleton()
    {
        await using var services = CreateSut(("AlertBot:Storage:ConnectionString", _db.ConnectionString));

        var store = services.GetRequiredService<IAlertStore>();
        await store.MigrateAsync(CancellationToken.None);
        await store.SetStateAsync("k", "v", CancellationToken.None);

        Assert.Same(store, services.GetRequiredService<IAlertStore>());
        Assert.Equal("v", await _db.NewStore().GetStateAsync("k", CancellationToken.None));
    }

    [Theory]
    [InlineData("AlertBot:Storage:Provider", "Postgres", "AlertBot:Storage:Provider")]
    [InlineData("AlertBot:Storage:ConnectionString", "", "AlertBot:Storage:ConnectionString")]
    [InlineData("AlertBot:Storage:ConnectionString", "Data Source=x.db;Colour=blue", "AlertBot:Storage:ConnectionString")]
    [InlineData("AlertBot:Storage:ConnectionString", "Mode=ReadOnly", "AlertBot:Storage:ConnectionString")]
    public void A_bad_setting_fails_validation_naming_the_key(string key, string value, string named)
    {
        using var services = CreateSut((key, value));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_private_in_memory_database_is_refused_because_it_would_vanish_between_calls()
    {
        Assert.Throws<ArgumentException>(() => new Sqlite.SqliteAlertStore("Data Source=:memory:"));
    }

    [Fact]
    public async Task A_shared_in_memory_database_works_for_as_long_as_the_store_lives()
    {
        using var store = new Sqlite.SqliteAlertStore($"Data Source=mem-{Guid.NewGuid():N};Mode=Memory;Cache=Shared");

        await store.MigrateAsync(CancellationToken.None);
        await store.SetStateAsync("k", "v", CancellationToken.None);

        Assert.Equal("v", await store.GetStateAsync("k", CancellationToken.None));
    }
}
