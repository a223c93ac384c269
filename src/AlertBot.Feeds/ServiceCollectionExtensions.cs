using AlertBot.Core.Configuration;
using AlertBot.Core.Feeds;
using AlertBot.Feeds.Fetching;
using AlertBot.Feeds.Ssrf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertBot.Feeds;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IFeedReader"/> as a typed HttpClient behind the SSRF guard, <see cref="IFeedUrlValidator"/>
    /// for URLs added from chat, and <see cref="FetchOptions"/> bound from "AlertBot:Fetch", validated at start.
    /// An <see cref="IFeedUrlPolicy"/> or <see cref="IHostResolver"/> registered before this call replaces the default.
    /// </summary>
    public static IServiceCollection AddAlertBotFeeds(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<FetchOptions, FetchOptionsValidator>(configuration.GetSection(FetchOptions.SectionName));
        services.TryAddSingleton(provider => new AddressGuard(provider.GetRequiredService<IOptions<FetchOptions>>().Value));
        services.TryAddSingleton<IFeedUrlPolicy>(provider => provider.GetRequiredService<AddressGuard>());
        services.TryAddSingleton<IFeedUrlValidator, FeedUrlValidator>();
        services.TryAddSingleton<IHostResolver>(SystemHostResolver.Instance);
        services.TryAddSingleton(provider => new HostConcurrency(provider.GetRequiredService<IOptions<FetchOptions>>().Value));
        services.TryAddSingleton(TimeProvider.System);

        // No resilience handler: a retry inside one read would blur the redirect count and the overall deadline;
        // the next scheduled poll is the retry.
        services.AddHttpClient<IFeedReader, FeedReader>((provider, client) =>
                client.Timeout = FeedReader.BackstopTimeout(provider.GetRequiredService<IOptions<FetchOptions>>().Value))
            .ConfigurePrimaryHttpMessageHandler(provider => FeedReader.CreateHandler(
                new GuardedConnector(provider.GetRequiredService<AddressGuard>(), provider.GetRequiredService<IHostResolver>())));
        return services;
    }
}
