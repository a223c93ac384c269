using AlertBot.Core.Feeds;
using AlertBot.Feeds.Fetching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertBot.Feeds;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IFeedReader"/> as a typed HttpClient and <see cref="FetchOptions"/> bound from
    /// "AlertBot:Fetch", validated at start. An <see cref="IFeedUrlPolicy"/> registered before this call (an SSRF guard)
    /// replaces the default http/https-only policy.
    /// </summary>
    public static IServiceCollection AddAlertBotFeeds(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FetchOptions>()
            .Bind(configuration.GetSection(FetchOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FetchOptions>, FetchOptionsValidator>());
        services.TryAddSingleton<IFeedUrlPolicy>(HttpSchemePolicy.Instance);
        services.TryAddSingleton(TimeProvider.System);

        // No resilience handler: a retry inside one read would blur the redirect count and the overall deadline;
        // the next scheduled poll is the retry.
        services.AddHttpClient<IFeedReader, FeedReader>((provider, client) =>
                client.Timeout = FeedReader.BackstopTimeout(provider.GetRequiredService<IOptions<FetchOptions>>().Value))
            .ConfigurePrimaryHttpMessageHandler(FeedReader.CreateHandler);
        return services;
    }
}
