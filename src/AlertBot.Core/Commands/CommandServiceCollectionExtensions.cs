using AlertBot.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertBot.Core.Commands;

public static class CommandServiceCollectionExtensions
{
    /// <summary>
    /// The chat command set (<see cref="ICommandProcessor"/>) and its validated limits (<c>AlertBot:Commands</c>).
    /// Needs an <c>IAlertStore</c>, the <c>ActorDictionary</c> and an <see cref="IWatchlistPresetCatalog"/> registered.
    /// </summary>
    public static IServiceCollection AddAlertBotCommands(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CommandOptions>()
            .Bind(configuration.GetSection(CommandOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<PollingOptions>().Bind(configuration.GetSection(PollingOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICommandProcessor, CommandProcessor>();
        return services;
    }
}
