using AlertBot.Core.Actions;
using AlertBot.Core.Alerts;
using AlertBot.Core.Persistence;
using AlertBot.Core.Retention;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;
using AlertBot.Storage;
using AlertBot.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.Testing.Storage;

/// <summary>The real store for tests that are not about storage: SQLite, in memory, migrated.</summary>
public static class TestStores
{
    // Every port a store (or a fault-injecting wrapper of one) may implement; each is registered when implemented.
    private static readonly Type[] Ports =
    [
        typeof(IStoreMigrator), typeof(IFeedStore), typeof(IPollStore), typeof(IChannelStore), typeof(IWatchlistStore),
        typeof(IOutboxStore), typeof(IStateStore), typeof(IStoryStore), typeof(IAlertActionStore), typeof(IRetentionStore),
        typeof(IFeedPauseStore),
    ];

    /// <summary>
    /// A migrated SQLite store in memory, private to the caller (its own shared-cache name), gone when disposed.
    /// Synchronous so that a test class can make one in a field initializer.
    /// </summary>
    public static SqliteAlertStore InMemory(TimeProvider? time = null)
    {
        var store = new SqliteAlertStore($"Data Source=alertbot-test-{Guid.NewGuid():N};Mode=Memory;Cache=Shared", time);
        try
        {
            store.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Registers <paramref name="store"/> as every store port it implements, as AddAlertBotStorage would.</summary>
    public static IServiceCollection AddStore(this IServiceCollection services, object store)
    {
        foreach (var port in Ports.Where(p => p.IsInstanceOfType(store)))
        {
            services.AddSingleton(port, store);
        }

        if (store is DapperAlertStore real)
        {
            services.AddSingleton(real);
        }

        return services;
    }

    /// <summary>Queues one alert and returns it as the delivery job would see it (the channel must be active).</summary>
    public static async Task<OutboxEntry> EnqueueOneAsync(
        this DapperAlertStore store, long channelId, string itemKey, AlertMessage message, DateTimeOffset at)
    {
        await store.EnqueueAsync([new NewAlert(channelId, itemKey, message)], at, CancellationToken.None);
        return (await store.ClaimDueAsync(at, int.MaxValue, CancellationToken.None))
            .Single(e => e.ChannelId == channelId && e.ItemKey == itemKey);
    }
}
