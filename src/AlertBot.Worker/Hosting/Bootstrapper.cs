using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Watchlists;
using AlertBot.Worker.ConsoleOutput;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Worker.Hosting;

/// <summary>
/// Start-up work that must finish before any job runs: migrations, the configured feeds, the console channel, and the
/// channels the chat adapters bring from their configuration (<see cref="IChatAdapter.ConfiguredChannels"/>).
/// </summary>
public sealed partial class Bootstrapper(
    IStoreMigrator migrator,
    IFeedStore feedStore,
    IChannelStore channels,
    IWatchlistStore watchlists,
    IOptions<PollingOptions> polling,
    IOptions<ConsoleOptions> console,
    ConsoleActivation consoleActivation,
    WatchlistPresets presets,
    IEnumerable<IChatAdapter> chatAdapters,
    TimeProvider time,
    ILogger<Bootstrapper> logger) : IHostedService
{
    public static readonly ChannelRef ConsoleChannel = new(Platforms.Console, "default");

    public Task StartAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await migrator.MigrateAsync(cancellationToken);
        var now = time.GetUtcNow();
        var configured = new List<FeedRecord>();
        foreach (var feed in polling.Value.Feeds)
        {
            var name = string.IsNullOrWhiteSpace(feed.Name) ? feed.Url : feed.Name;
            var record = await feedStore.UpsertFeedAsync(
                new FeedDefinition(feed.Url, name, feed.Interval, feed.Backfill),
                now,
                cancellationToken);
            configured.Add(record);
        }

        LogFeedsConfigured(configured.Count);
        if (consoleActivation.Enabled)
        {
            await SetUpConfiguredChannelAsync(ConsoleChannel, "Console", console.Value.Watchlist, "AlertBot:Console:Watchlist", configured, now, cancellationToken);
        }
        else if (await channels.GetChannelAsync(ConsoleChannel, cancellationToken) is { Active: true } old)
        {
            // A console channel left from an earlier run must not collect alerts nobody will print.
            await channels.SetChannelActiveAsync(old.Id, false, cancellationToken);
        }

        // Channels an adapter's configuration names (Discord webhooks): no commands, the default feeds, a preset.
        foreach (var channel in chatAdapters.SelectMany(a => a.ConfiguredChannels))
        {
            await SetUpConfiguredChannelAsync(channel.Channel, channel.Title, channel.Watchlist, channel.WatchlistKey, configured, now, cancellationToken);
        }
    }

    /// <summary>A channel that exists because configuration says so: active, reading the default feeds, with a preset.</summary>
    private async Task SetUpConfiguredChannelAsync(
        ChannelRef channelRef,
        string title,
        string presetName,
        string presetKey,
        List<FeedRecord> feeds,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var channel = await channels.EnsureChannelAsync(channelRef, title, now, cancellationToken);
        if (!channel.Active)
        {
            await channels.SetChannelActiveAsync(channel.Id, true, cancellationToken);
        }

        foreach (var feed in feeds)
        {
            await channels.AttachFeedAsync(channel.Id, feed.Id, cancellationToken);
        }

        var terms = await watchlists.ListWatchTermsAsync(channel.Id, cancellationToken);
        if (terms.Count == 0)
        {
            var preset = presets.Find(presetName)
                ?? throw new InvalidOperationException(
                    $"{presetKey} names '{presetName}', which is not a preset in the watchlists file.");
            foreach (var term in preset.Terms)
            {
                await watchlists.AddWatchTermAsync(channel.Id, term, now, cancellationToken);
            }

            terms = await watchlists.ListWatchTermsAsync(channel.Id, cancellationToken);
        }

        var watched = string.Join(", ", terms.Select(t => t.Text));
        LogConfiguredChannel(channelRef, feeds.Count, watched);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} configured feeds in the store")]
    private partial void LogFeedsConfigured(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel} from configuration: {Feeds} feeds, watching {Terms}")]
    private partial void LogConfiguredChannel(ChannelRef channel, int feeds, string terms);
}

/// <summary>Whether the console channel is on: as configured, else only when no chat platform is configured.</summary>
public sealed record ConsoleActivation(bool Enabled);
