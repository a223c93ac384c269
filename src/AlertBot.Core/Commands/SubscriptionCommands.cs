using System.Globalization;
using System.Text;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Watchlists;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static AlertBot.Core.Commands.Replies;

namespace AlertBot.Core.Commands;

// /start, /subscribe, /unsubscribe, /pause and /resume: whether this chat gets alerts at all.

public sealed record StartArgs : CommandArgs;

/// <summary>
/// Telegram opens every chat with a bot with /start (Discord has no such thing). Anyone may say hello; the
/// re-activation it may do asks for the right itself (<see cref="StartHandler"/>).
/// </summary>
public sealed class StartCommand() : PlainCommand<StartArgs, StartHandler>(
    new("start", "Welcome; re-activates a chat that was unsubscribed", CommandAccess.Admin)
    {
        OnDiscord = false,
    });

public sealed class StartHandler(IChannelStore channels, SubscribeHandler subscribe) : ICommandHandler<StartArgs>
{
    public async Task<CommandReply> HandleAsync(StartArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        var channel = await channels.GetChannelAsync(context.Channel, cancellationToken);
        if (channel is { Active: false })
        {
            if (!await context.MayChangeSettingsAsync(cancellationToken))
            {
                return Refused("re-activate alerts");
            }

            return await subscribe.SubscribeAsync(context, presetName: null, greeting: "Welcome back! ", cancellationToken);
        }

        var next = channel is null
            ? "Use /subscribe to start alerts here, then /watch add <term> to choose what to watch."
            : channel.Paused ? "Alerts here are paused: /resume sends them again." : "This chat is subscribed; /status shows the details.";
        return new CommandReply($"Hello! I am AlertBot. {next}\n\n{CommandCatalog.HelpText()}");
    }
}

/// <param name="Name">A watchlist preset or a feed pack (or both, when they share the name); null for the default.</param>
public sealed record SubscribeArgs(string? Name = null) : CommandArgs;

public sealed class SubscribeCommand() : CommandDescriptor<SubscribeArgs, SubscribeHandler>(
    new("subscribe", "Start alerts here (default feeds, or a feed pack too; preset terms if the watchlist is empty)", CommandAccess.Admin)
    {
        Summary = "Start posting alerts in this channel",
        Usage = "/subscribe [watchlist | pack]",
        SlashGroup = "alerts",
        Options = [new("watchlist", "A watchlist preset or feed pack (empty: the default)", Required: false, MaxLength: 100)],
    })
{
    public override CommandPermission? Requires(SubscribeArgs args) => new("subscribe this chat");

    public override CommandBinding Parse(ParsedCommand command) => command.Arguments.Count switch
    {
        0 => new SubscribeArgs(),
        1 => new SubscribeArgs(command.Arguments[0].Text),
        _ => Replies.Usage("Give at most one watchlist or feed pack name.", Usage),
    };

    public override CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values) =>
        new SubscribeArgs(OptionText(values, "watchlist") is { Length: > 0 } name ? name : null);
}

public sealed partial class SubscribeHandler(
    IChannelStore channels,
    IFeedStore feeds,
    IWatchlistStore watchlists,
    WatchlistPresets presets,
    IOptions<CommandOptions> options,
    IOptions<PollingOptions> polling,
    TimeProvider time,
    ILogger<SubscribeHandler> logger) : ICommandHandler<SubscribeArgs>
{
    private readonly CommandOptions _options = options.Value;

    public Task<CommandReply> HandleAsync(SubscribeArgs args, CommandContext context, CancellationToken cancellationToken) =>
        SubscribeAsync(context, args.Name, greeting: "", cancellationToken);

    internal async Task<CommandReply> SubscribeAsync(CommandContext context, string? presetName, string greeting, CancellationToken ct)
    {
        // A feed pack (config/feeds/<name>.opml) of the same name brings its feeds too: /subscribe middle-east is the
        // preset's terms and the pack's news sources in one step.
        var pack = presetName is null ? null : FeedPacks.Find(presetName);
        var preset = presets.Find(presetName ?? _options.DefaultWatchlist)
            ?? (pack is not null ? presets.Find(_options.DefaultWatchlist) : null);
        if (preset is null && pack is null && presetName is not null)
        {
            var names = presets.Count == 0 ? "none are configured" : string.Join(", ", presets.Select(p => p.Name));
            var packs = FeedPacks.Names() is { Count: > 0 } found ? $"; feed packs: {string.Join(", ", found)}" : "";
            return Error($"There is no watchlist or feed pack named \"{Shorten(presetName)}\" (watchlists: {names}{packs}). Nothing was changed.");
        }

        var now = time.GetUtcNow();
        var channel = await channels.EnsureChannelAsync(context.Channel, context.ChannelTitle, now, ct);
        await channels.SetChannelActiveAsync(channel.Id, true, ct);
        await channels.SetChannelPausedAsync(channel.Id, false, ct);

        var attached = 0;
        var overCap = 0;
        var reading = (await channels.ListChannelFeedsAsync(channel.Id, ct)).Select(f => f.Url).ToHashSet(StringComparer.Ordinal);
        var wanted = polling.Value.Feeds
            .Select(f => new FeedDefinition(f.Url, string.IsNullOrWhiteSpace(f.Name) ? f.Url : f.Name, f.Interval, f.Backfill))
            .Concat(pack is null ? [] : ReadPack(pack))
            .DistinctBy(f => f.Url);
        foreach (var definition in wanted)
        {
            // The default feeds count towards the cap like any other: a chat that filled it keeps its own choice.
            if (!reading.Contains(definition.Url) && reading.Count >= _options.MaxFeedsPerChannel)
            {
                overCap++;
                continue;
            }

            var feed = await feeds.FindFeedByUrlAsync(definition.Url, ct) ?? await feeds.UpsertFeedAsync(definition, now, ct);
            if (await channels.AttachFeedAsync(channel.Id, feed.Id, ct))
            {
                attached++;
                reading.Add(feed.Url);
            }
        }

        var reply = new StringBuilder(greeting).Append("Alerts are on for this chat.");
        if (attached > 0)
        {
            reply.Append(CultureInfo.InvariantCulture, $" Added {Plural(attached, pack is null ? "default feed" : "feed")}.");
        }

        if (overCap > 0)
        {
            reply.Append(CultureInfo.InvariantCulture, $" {Plural(overCap, pack is null ? "default feed" : "feed")} not added: this chat reads {reading.Count} feeds, the limit.");
        }

        var terms = await watchlists.ListWatchTermsAsync(channel.Id, ct);
        if (terms.Count == 0 && preset is not null)
        {
            var added = 0;
            foreach (var term in preset.Terms.Take(_options.MaxTermsPerChannel))
            {
                if (await watchlists.AddWatchTermAsync(channel.Id, term, now, ct))
                {
                    added++;
                }
            }

            reply.Append(CultureInfo.InvariantCulture, $" Watching the \"{preset.Name}\" watchlist: {string.Join(", ", preset.Terms.Take(added))}.");
        }
        else if (terms.Count > 0)
        {
            reply.Append(CultureInfo.InvariantCulture, $" Your {Plural(terms.Count, "watch term")} are kept");
            reply.Append(presetName is null ? "." : $"; the \"{presetName}\" watchlist was not added because this chat already has terms.");
        }
        else
        {
            reply.Append(" The watchlist is empty: add terms with /watch add <term>.");
        }

        return new CommandReply(reply.Append("\n/watch list shows the terms, /feeds list the feeds.").ToString());
    }

    /// <summary>
    /// A pack's feeds, as trusted as configured feeds (the operator ships them): each follows the default interval
    /// and starts with a baseline. A pack that cannot be read adds nothing; the reply's feed count shows it.
    /// </summary>
    private IEnumerable<FeedDefinition> ReadPack(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return [.. OpmlDocument.Parse(stream).Select(f => new FeedDefinition(f.Url, f.Title ?? f.Url, null))];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            LogPackUnreadable(logger, path, ex.Message);
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed pack {Path} cannot be read: {Reason}")]
    private static partial void LogPackUnreadable(ILogger logger, string path, string reason);
}

public sealed record UnsubscribeArgs : CommandArgs;

public sealed class UnsubscribeCommand() : PlainCommand<UnsubscribeArgs, UnsubscribeHandler>(
    new("unsubscribe", "Stop alerts here (the watchlist is kept)", CommandAccess.Admin)
    {
        Summary = "Stop posting alerts in this channel",
        SlashGroup = "alerts",
    },
    requires: "unsubscribe this chat");

public sealed class UnsubscribeHandler(IChannelStore channels) : ICommandHandler<UnsubscribeArgs>
{
    public async Task<CommandReply> HandleAsync(UnsubscribeArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        var channel = await channels.GetChannelAsync(context.Channel, cancellationToken);
        if (channel is not { Active: true })
        {
            return new CommandReply("This chat is not subscribed; nothing to do.");
        }

        await channels.SetChannelActiveAsync(channel.Id, false, cancellationToken);
        return new CommandReply("Alerts are off for this chat. The watchlist is kept: /subscribe turns alerts back on.");
    }
}

public sealed record PauseArgs : CommandArgs;

public sealed record ResumeArgs : CommandArgs;

public sealed class PauseCommand() : PlainCommand<PauseArgs, PauseHandler>(
    new("pause", "Hold alerts (nothing is queued while paused)", CommandAccess.Admin)
    {
        Summary = "Pause alerts here without losing the watchlist",
        SlashGroup = "alerts",
    },
    requires: "pause alerts");

public sealed class ResumeCommand() : PlainCommand<ResumeArgs, PauseHandler>(
    new("resume", "Send alerts again", CommandAccess.Admin)
    {
        Summary = "Resume paused alerts",
        SlashGroup = "alerts",
    },
    requires: "resume alerts");

/// <summary>/pause and /resume: one switch, two commands.</summary>
public sealed class PauseHandler(IChannelStore channels) : ICommandHandler<PauseArgs>, ICommandHandler<ResumeArgs>
{
    public Task<CommandReply> HandleAsync(PauseArgs args, CommandContext context, CancellationToken cancellationToken) =>
        SetPausedAsync(context, paused: true, cancellationToken);

    public Task<CommandReply> HandleAsync(ResumeArgs args, CommandContext context, CancellationToken cancellationToken) =>
        SetPausedAsync(context, paused: false, cancellationToken);

    private async Task<CommandReply> SetPausedAsync(CommandContext context, bool paused, CancellationToken ct)
    {
        var channel = await channels.GetChannelAsync(context.Channel, ct);
        if (channel is not { Active: true })
        {
            return Error($"This chat is not subscribed, so there is nothing to {(paused ? "pause" : "resume")}: use /subscribe first.");
        }

        if (channel.Paused == paused)
        {
            return new CommandReply(paused ? "Alerts are already paused." : "Alerts are not paused.");
        }

        await channels.SetChannelPausedAsync(channel.Id, paused, ct);
        return new CommandReply(paused
            ? "Alerts are paused: news found meanwhile is not sent. /resume turns them back on."
            : "Alerts are on again.");
    }
}
