using AlertBot.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertBot.Core.Commands;

public static class CommandServiceCollectionExtensions
{
    /// <summary>
    /// The chat command set (<see cref="ICommandProcessor"/>, rate limited per chat and per user) and its validated limits (<c>AlertBot:Commands</c>).
    /// Each command's handler is registered from its descriptor (<see cref="CommandCatalog"/>). Needs <c>AddAlertBotCore</c>
    /// (polling options with the default feeds, the alias dictionary, the watchlist presets), the store's ports
    /// (<c>AddAlertBotStorage</c>) and, for /feeds, the feed reader and URL validator (<c>AddAlertBotFeeds</c>).
    /// </summary>
    public static IServiceCollection AddAlertBotCommands(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<CommandOptions>(configuration.GetSection(CommandOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FeedHealth>();
        services.TryAddSingleton<CommandProcessor>();
        foreach (var command in CommandCatalog.Descriptors)
        {
            command.Register(services);
        }

        services.TryAddSingleton<CommandRateLimiter>();

        // Adapters see only the rate-limited processor: the limits hold whichever platform a command comes from.
        services.TryAddSingleton<ICommandProcessor, RateLimitedCommandProcessor>();
        return services;
    }
}
