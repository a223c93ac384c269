using AlertBot.Core.Persistence;
using AlertBot.Core.Retention;
using AlertBot.Core.Stories;
using AlertBot.Storage.Leases;
using AlertBot.Storage.Postgres;
using AlertBot.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>AlertBot:Storage</c> (at start-up) and registers the configured provider's
    /// <see cref="IAlertStore"/> (also the <see cref="IStoryStore"/>) and <see cref="ILeaseProvider"/> singletons.
    /// The host still calls <see cref="IStoreMigrator.MigrateAsync"/> before the first job runs.
    /// </summary>
    public static IServiceCollection AddAlertBotStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<IAlertStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.IsPostgres
                ? new PostgresAlertStore(
                    options.ConnectionString,
                    options.OutboxClaimLease,
                    sp.GetService<TimeProvider>(),
                    sp.GetService<ILogger<PostgresAlertStore>>())
                : new SqliteAlertStore(
                    options.ConnectionString,
                    sp.GetService<TimeProvider>(),
                    sp.GetService<ILogger<SqliteAlertStore>>());
        });
        // The store's ports: one instance per database implements them all.
        services.AddSingleton<IStoreMigrator>(sp => sp.GetRequiredService<IAlertStore>());
        services.AddSingleton<IFeedStore>(sp => sp.GetRequiredService<IAlertStore>());
        services.AddSingleton<IPollStore>(sp => sp.GetRequiredService<IAlertStore>());
        services.AddSingleton<IChannelStore>(sp => sp.GetRequiredService<IAlertStore>());
        services.AddSingleton<IWatchlistStore>(sp => sp.GetRequiredService<IAlertStore>());
        services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<IAlertStore>());
        services.AddSingleton<IStateStore>(sp => sp.GetRequiredService<IAlertStore>());
        services.AddSingleton<IFeedPauseStore>(sp => (IFeedPauseStore)sp.GetRequiredService<IAlertStore>());
        // Both providers keep stories across sources and digests in the same database (and outbox) as the store.
        services.AddSingleton<IStoryStore>(sp => sp.GetRequiredService<IAlertStore>() as IStoryStore
            ?? throw new InvalidOperationException("The configured store does not keep stories and digests."));
        services.AddSingleton<IRetentionStore>(sp => sp.GetRequiredService<IAlertStore>() as IRetentionStore
            ?? throw new InvalidOperationException("The configured store cannot prune."));
        services.AddSingleton<AlertBot.Core.Actions.IAlertActionStore>(sp => sp.GetRequiredService<IAlertStore>() as AlertBot.Core.Actions.IAlertActionStore
            ?? throw new InvalidOperationException("The configured store does not keep alert actions."));

        services.AddSingleton<ILeaseProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.IsPostgres
                ? new PostgresLeaseProvider(
                    options.ConnectionString,
                    sp.GetService<TimeProvider>(),
                    sp.GetService<ILogger<PostgresLeaseProvider>>())
                : new InProcessLeaseProvider();
        });
        return services;
    }
}
