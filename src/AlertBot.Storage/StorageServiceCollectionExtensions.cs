using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>AlertBot:Storage</c> (at start-up) and registers the <see cref="IAlertStore"/> singleton.
    /// The host still calls <see cref="IAlertStore.MigrateAsync"/> before the first job runs.
    /// </summary>
    public static IServiceCollection AddAlertBotStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton(sp => new SqliteAlertStore(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<SqliteAlertStore>>()));
        services.AddSingleton<IAlertStore>(sp => sp.GetRequiredService<SqliteAlertStore>());

        // Stories and digests live in the same database and outbox: one store object serves both ports.
        services.AddSingleton<IStoryStore>(sp => sp.GetRequiredService<SqliteAlertStore>());
        return services;
    }
}
