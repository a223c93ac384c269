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
/// Start-up work that must finish before any job runs: migrations, the configured feeds, and the console channel.
/// </summary>
public sealed partial class Bootstrapper(
    IAlertStore store,
    IOptions<PollingOptions> polling,
    IOptions<ConsoleOptions> console,
    ConsoleActivation consoleActivation,
    WatchlistPresets presets,
    TimeProvider time,
    ILogger<Bootstrapper> logger) : IHostedService
{
    public static readonly ChannelRef ConsoleChannel = new(Platforms.Console, "default");

    public Task StartAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        var now = time.GetUtcNow();
        var configured = new List<FeedRecord>();
        foreach (var feed in polling.Value.Feeds)
        {
            var name = string.IsNullOrWhiteSpace(feed.Name) ? feed.Url : feed.Name;
            var record = await store.UpsertFeedAsync(
                new FeedDefinition(feed.Url, name, feed.Interval ?? polling.Value.DefaultInterval, feed.Backfill),
                now,
                cancellationToken);
            configured.Add(record);
        }

        LogFeedsConfigured(configured.Count);
        await SetUpConsoleChannelAsync(configured, now, cancellationToken);
    }

    private async Task SetUpConsoleChannelAsync(List<FeedRecord> feeds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!consoleActivation.Enabled)
        {
            // A console channel left from an earlier run must not collect alerts nobody will print.
            if (await store.GetChannelAsync(ConsoleChannel, cancellationToken) is { Active: true } old)
            {
                await store.SetChannelActiveAsync(old.Id, false, cancellationToken);
            }

            return;
        }

        var channel = await store.EnsureChannelAsync(ConsoleChannel, "Console", now, cancellationToken);
        if (!channel.Active)
        {
            await store.SetChannelActiveAsync(channel.Id, true, cancellationToken);
        }

        foreach (var feed in feeds)
        {
            await store.AttachFeedAsync(channel.Id, feed.Id, cancellationToken);
        }

        var terms = await store.ListWatchTermsAsync(channel.Id, cancellationToken);
        if (terms.Count == 0)
        {
            var preset = presets.Find(console.Value.Watchlist)
                ?? throw new InvalidOperationException(
                    $"AlertBot:Console:Watchlist names '{console.Value.Watchlist}', which is not a preset in the watchlists file.");
            foreach (var term in preset.Terms)
            {
                await store.AddWatchTermAsync(channel.Id, term, now, cancellationToken);
            }

            terms = await store.ListWatchTermsAsync(channel.Id, cancellationToken);
        }

        var watched = string.Join(", ", terms.Select(t => t.Text));
        LogConsoleChannel(feeds.Count, watched);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} configured feeds in the store")]
    private partial void LogFeedsConfigured(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alerts print to the console: {Feeds} feeds, watching {Terms}")]
    private partial void LogConsoleChannel(int feeds, string terms);
}

/// <summary>Whether the console channel is on: as configured, else only when no chat platform is configured.</summary>
public sealed record ConsoleActivation(bool Enabled);
