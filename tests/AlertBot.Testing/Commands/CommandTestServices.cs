using AlertBot.Core.Actions;
using AlertBot.Core.Alerts;
using AlertBot.Core.Commands;
using AlertBot.Core.Digests;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Stories;
using AlertBot.Core.Watchlists;
using AlertBot.Testing.Fakes;
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
    /// Registers the store's ports from <paramref name="store"/>, and what a host adds beside it when a test did not:
    /// stories and alert actions (<see cref="UnkeptStories"/> when the store keeps none), a feed reader with no network
    /// (<see cref="OfflineFeedReader"/>) and a URL validator that accepts what Core's own checks accept.
    /// </summary>
    public static IServiceCollection AddStorePorts(this IServiceCollection services, IAlertStore store)
    {
        services.TryAddSingleton(store);
        services.TryAddSingleton<IFeedStore>(store);
        services.TryAddSingleton<IPollStore>(store);
        services.TryAddSingleton<IChannelStore>(store);
        services.TryAddSingleton<IWatchlistStore>(store);
        services.TryAddSingleton<IOutboxStore>(store);
        services.TryAddSingleton<IStateStore>(store);
        services.TryAddSingleton<IStoreMigrator>(store);
        services.TryAddSingleton(store as IStoryStore ?? UnkeptStories.Instance);
        services.TryAddSingleton(store as IAlertActionStore ?? UnkeptStories.Instance);
        services.TryAddSingleton(store as IFeedPauseStore ?? UnkeptStories.Instance);
        services.TryAddSingleton<IFeedReader>(OfflineFeedReader.Instance);
        services.TryAddSingleton<IFeedUrlValidator>(AnyFeedUrl.Instance);
        return services;
    }

    /// <summary>The command processor (not rate limited) over <paramref name="store"/>, with the given settings.</summary>
    public static CommandProcessor CreateProcessor(
        IAlertStore store,
        ActorDictionary actors,
        WatchlistPresets presets,
        CommandOptions options,
        PollingOptions polling,
        TimeProvider time,
        RecordingLogger? logs = null,
        IFeedUrlValidator? urlValidator = null,
        IFeedReader? reader = null)
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

        services.AddStorePorts(store);
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

/// <summary>
/// Stories, digests, alert actions and feed pauses for <see cref="InMemoryAlertStore"/>, which keeps none: reads are empty, and a
/// write says plainly that this store cannot keep it. Tests of those features use the real SQLite store.
/// </summary>
public sealed class UnkeptStories : IStoryStore, IAlertActionStore, IFeedPauseStore
{
    public static UnkeptStories Instance { get; } = new();

    private static NotSupportedException Unkept() => new("InMemoryAlertStore keeps no stories, digests, alert actions or feed pauses; use SqliteAlertStore.");

    public Task<IReadOnlyList<StoryAlert>> ListStoryAlertsAsync(IReadOnlyCollection<long> channelIds, DateTimeOffset since, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoryAlert>>([]);

    public Task<IReadOnlyList<StoryAlert>> FindStoryAlertsAsync(IReadOnlyList<StoryProbe> probes, DateTimeOffset since, int maxDistance, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoryAlert>>([]);

    public Task<IAsyncDisposable> LockStoriesAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken) => throw Unkept();

    public Task<IReadOnlyDictionary<long, DigestMode>> GetDigestModesAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<long, DigestMode>>(new Dictionary<long, DigestMode>());

    public Task SetDigestModeAsync(long channelId, DigestMode mode, CancellationToken cancellationToken) => throw Unkept();

    public Task<bool> SetTermPriorityAsync(long channelId, string text, bool priority, CancellationToken cancellationToken) => throw Unkept();

    public Task<IReadOnlyList<PriorityTerm>> ListPriorityTermsAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PriorityTerm>>([]);

    public Task<IReadOnlyList<HeldAlert>> ListDueHeldAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<HeldAlert>>([]);

    public Task<bool> CommitDigestAsync(NewAlert digest, IReadOnlyList<long> heldOutboxIds, DateTimeOffset now, CancellationToken cancellationToken) => throw Unkept();

    public Task<AlertRef?> GetAlertAsync(long outboxId, CancellationToken cancellationToken) => Task.FromResult<AlertRef?>(null);

    public Task<bool> MuteStoryAsync(long channelId, long outboxId, DateTimeOffset at, CancellationToken cancellationToken) => throw Unkept();

    public Task<IReadOnlySet<long>> FindMutedStoriesAsync(IReadOnlyCollection<long> outboxIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<long>>(new HashSet<long>());

    public Task MuteTermAsync(long channelId, string term, DateTimeOffset until, CancellationToken cancellationToken) => throw Unkept();

    public Task<IReadOnlyList<TermMute>> ListTermMutesAsync(IReadOnlyCollection<long> channelIds, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TermMute>>([]);

    public Task<IReadOnlyDictionary<long, EscalationSettings>> GetEscalationAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<long, EscalationSettings>>(new Dictionary<long, EscalationSettings>());

    public Task SetEscalationAsync(long channelId, EscalationSettings settings, CancellationToken cancellationToken) => throw Unkept();

    public Task<int> PruneActionsAsync(DateTimeOffset before, CancellationToken cancellationToken) => Task.FromResult(0);

    public Task<bool> SetFeedPausedAsync(long channelId, long feedId, bool paused, DateTimeOffset at, CancellationToken cancellationToken) => throw Unkept();

    public Task<IReadOnlySet<long>> ListPausedFeedsAsync(long channelId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<long>>(new HashSet<long>());

    public Task<IReadOnlyList<TermHourCount>> ListTermCountsAsync(long channelId, DateTimeOffset since, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TermHourCount>>([]);
}
