using AlertBot.Core.Persistence;
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
    /// <see cref="IAlertStore"/> and <see cref="ILeaseProvider"/> singletons.
    /// The host still calls <see cref="IAlertStore.MigrateAsync"/> before the first job runs.
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
