using AlertBot.Core.Actions;
using AlertBot.Core.Configuration;
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
    /// Binds and validates <c>AlertBot:Storage</c> (at start-up) and registers the configured provider's store (one
    /// <see cref="DapperAlertStore"/> singleton behind every store port: feeds, polls, channels, watchlists, outbox,
    /// state, stories, alert actions, retention, migrator) and its <see cref="ILeaseProvider"/>.
    /// The host still calls <see cref="IStoreMigrator.MigrateAsync"/> before the first job runs.
    /// </summary>
    public static IServiceCollection AddAlertBotStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(configuration.GetSection(StorageOptions.Section));
        services.AddSingleton<DapperAlertStore>(sp =>
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
        services.AddSingleton<IStoreMigrator>(sp => sp.GetRequiredService<DapperAlertStore>());
        services.AddSingleton<IFeedStore>(sp => sp.GetRequiredService<DapperAlertStore>());
        services.AddSingleton<IPollStore>(sp => sp.GetRequiredService<DapperAlertStore>());
        services.AddSingleton<IChannelStore>(sp => sp.GetRequiredService<DapperAlertStore>());
        services.AddSingleton<IWatchlistStore>(sp => sp.GetRequiredService<DapperAlertStore>());
        services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<DapperAlertStore>());
        services.AddSingleton<IStateStore>(sp => sp.GetRequiredService<DapperAlertStore>());
        services.AddSingleton<IFeedPauseStore>(sp => sp.GetRequiredService<DapperAlertStore>());
        services.AddSingleton<IStoryStore>(sp => sp.GetRequiredService<DapperAlertStore>());
        services.AddSingleton<IRetentionStore>(sp => sp.GetRequiredService<DapperAlertStore>());
        services.AddSingleton<IAlertActionStore>(sp => sp.GetRequiredService<DapperAlertStore>());

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
