using AlertBot.Core.Configuration;
using AlertBot.Core.Diagnostics;
using AlertBot.Core.Digests;
using AlertBot.Core.Matching;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Retention;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;
using AlertBot.Core.Watchlists;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertBot.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>The pipeline: options, the alias dictionary, the matcher cache, the summariser, poll and delivery.</summary>
    public static IServiceCollection AddAlertBotCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PollingOptions>(configuration.GetSection(PollingOptions.Section));
        services.AddValidatedOptions<DeliveryOptions>(configuration.GetSection(DeliveryOptions.Section));
        services.AddValidatedOptions<MatchingOptions>(configuration.GetSection(MatchingOptions.Section));

        services.AddValidatedOptions<StoryOptions>(configuration.GetSection(StoryOptions.Section));
        services.AddValidatedOptions<DigestOptions>(configuration.GetSection(DigestOptions.Section));
        services.AddValidatedOptions<RetentionOptions>(configuration.GetSection(RetentionOptions.Section));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
            ActorDictionary.Load(FilePaths.Resolve(sp.GetRequiredService<IOptions<MatchingOptions>>().Value.ActorsFile)));
        services.TryAddSingleton(sp =>
            WatchlistPresets.Load(FilePaths.Resolve(sp.GetRequiredService<IOptions<MatchingOptions>>().Value.WatchlistsFile)));
        services.AddMetrics();
        services.TryAddSingleton<AlertBotMetrics>();
        services.TryAddSingleton<PollActivity>();
        services.TryAddSingleton<MatcherCache>();
        services.TryAddSingleton<RegexTimeoutReporter>();
        services.TryAddSingleton<Summarizer>();
        services.TryAddSingleton<StoryPlanner>();
        services.TryAddSingleton<DigestService>();
        services.TryAddSingleton<Actions.AlertActionPlanner>();
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<PollService>();
        services.TryAddSingleton<DeliveryService>();
        services.TryAddSingleton<RetentionService>();
        return services;
    }
}
