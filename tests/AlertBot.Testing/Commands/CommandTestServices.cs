using AlertBot.Core.Actions;
using AlertBot.Core.Alerts;
using AlertBot.Core.Commands;
using AlertBot.Core.Digests;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Stories;
using AlertBot.Core.Watchlists;
using AlertBot.Storage;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Testing.Commands;

/// <summary>
/// The command set as the host composes it (<see cref="CommandServiceCollectionExtensions.AddAlertBotCommands"/>),
/// over a test's store: each of the store's ports is that store, as AddAlertBotStorage registers them.
/// </summary>
public static class CommandTestServices
{
    /// <summary>
    /// Registers <paramref name="store"/> as every port it implements (<see cref="TestStores.AddStore"/>), and what a
    /// host adds beside it when a test did not: a feed reader with no network (<see cref="OfflineFeedReader"/>) and a
    /// URL validator that accepts what Core's own checks accept.
    /// </summary>
    public static IServiceCollection AddCommandStore(this IServiceCollection services, DapperAlertStore store)
    {
        services.AddStore(store);
        services.TryAddSingleton<IFeedReader>(OfflineFeedReader.Instance);
        services.TryAddSingleton<IFeedUrlValidator>(AnyFeedUrl.Instance);
        return services;
    }

    /// <summary>
    /// The command processor (not rate limited) over <paramref name="store"/>, with the given settings; with
    /// <paramref name="faults"/> (a wrapper of the same store), the ports it wraps are the wrapper's.
    /// </summary>
    public static CommandProcessor CreateProcessor(
        DapperAlertStore store,
        ActorDictionary actors,
        WatchlistPresets presets,
        CommandOptions options,
        PollingOptions polling,
        TimeProvider time,
        RecordingLogger? logs = null,
        IFeedUrlValidator? urlValidator = null,
        IFeedReader? reader = null,
        DelegatingAlertStore? faults = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider((logs ?? new RecordingLogger()).AsProvider()));
        services.AddSingleton(time);
        services.AddSingleton(actors);
        services.AddSingleton(presets);
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(Options.Create(polling));
        if (urlValidator is not null)
        {
            services.AddSingleton(urlValidator);
        }

        if (reader is not null)
        {
            services.AddSingleton(reader);
        }

        services.AddCommandStore(store);
        if (faults is not null)
        {
            services.AddStore(faults); // registered last, so its ports win
        }

        services.AddAlertBotCommands(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }).GetRequiredService<CommandProcessor>();
    }
}

/// <summary>A feed reader on a machine with no network: every read fails as a connection would (chat adds the feed anyway).</summary>
public sealed class OfflineFeedReader : IFeedReader
{
    public static OfflineFeedReader Instance { get; } = new();

    public Task<FeedReadResult> ReadAsync(string source, FeedValidators validators, CancellationToken cancellationToken) =>
        Task.FromResult<FeedReadResult>(new FeedReadResult.Failure(FeedErrorKind.Network, "no network in this test"));
}

/// <summary>A URL validator with no opinion: Core's own checks (scheme, credentials, length) are the only ones.</summary>
public sealed class AnyFeedUrl : IFeedUrlValidator
{
    public static AnyFeedUrl Instance { get; } = new();

    public string? Validate(string url) => null;
}
