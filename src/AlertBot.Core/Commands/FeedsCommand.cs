using System.Globalization;
using System.Text;
using AlertBot.Core.Channels;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using Microsoft.Extensions.Options;
using static AlertBot.Core.Commands.Replies;

namespace AlertBot.Core.Commands;

public enum FeedsAction
{
    List,
    Add,
    Remove,
    Import,
    Export,
    Pause,
    Resume,
}

/// <param name="Url">The address to add (<see cref="FeedsAction.Add"/>).</param>
/// <param name="FeedId">The feed, by the id /feeds list shows (remove, pause, resume).</param>
/// <remarks>The OPML file of <see cref="FeedsAction.Import"/> travels as the context's attachment.</remarks>
public sealed record FeedsArgs(FeedsAction Action, string? Url = null, long? FeedId = null) : CommandArgs;

public sealed class FeedsCommand() : CommandDescriptor<FeedsArgs, FeedsHandler>(
    new("feeds", "Edit or show the feeds this chat reads; pause one; import or export them as OPML", CommandAccess.Admin)
    {
        Summary = "This channel's news feeds",
        Actions = [
            CommandAction.List("feeds", "List feeds"),
            new("add", "/feeds add <url>", "Add an RSS, Atom or JSON feed", new CommandOption("url", "Feed URL", MaxLength: 2000)),
            CommandAction.Remove("feeds", FeedId, "Remove a feed"),
            new("import", "/feeds import (attach .opml)", "Add the feeds of an OPML file",
                new CommandOption("file", "An .opml or .xml file (1 MB at most)", CommandOptionKind.Attachment)),
            new("export", "/feeds export", "This channel's feeds as an OPML file"),
            new("pause", "/feeds pause <id>", "Stop alerts from one feed here, keeping it", FeedId),
            new("resume", "/feeds resume <id>", "Alerts from a paused feed again", FeedId),
        ],
    })
{
    private static CommandOption FeedId => new("id", "The feed's id from /feeds list", CommandOptionKind.Number, MinValue: 1);

    public override CommandPermission? Requires(FeedsArgs args) => args.Action switch
    {
        FeedsAction.Add => new("add feeds"),
        FeedsAction.Remove => new("remove feeds"),
        FeedsAction.Import => new("import feeds"),
        FeedsAction.Pause => new("pause feeds"),
        FeedsAction.Resume => new("resume feeds"),
        _ => null,
    };

    public override CommandBinding Parse(ParsedCommand command)
    {
        var word = command.Arguments.Count > 0 ? command.Arguments[0].Text : "";
        var args = command.Rest(1);
        if (word.Length == 0)
        {
            return Replies.Usage("Say what to do with the feeds.", UsageLines);
        }

        if (FindAction(word) is not { } action)
        {
            return Replies.Usage($"Unknown /feeds action \"{Shorten(word)}\".", UsageLines);
        }

        var kind = Enum.Parse<FeedsAction>(action.Name, ignoreCase: true);
        return (kind, args.Count) switch
        {
            (FeedsAction.Add, 1) => new FeedsArgs(FeedsAction.Add, Url: args[0].Text),
            (FeedsAction.Add, _) => Replies.Usage("Give exactly one feed URL.", "/feeds add <url>"),
            (FeedsAction.Remove or FeedsAction.Pause or FeedsAction.Resume, 1) => ParseId(args[0].Text, id => new FeedsArgs(kind, FeedId: id), action.Usage),
            (FeedsAction.Remove or FeedsAction.Pause or FeedsAction.Resume, _) => Replies.Usage("Give exactly one feed id (see /feeds list).", action.Usage),
            (var other, 0) => new FeedsArgs(other),
            _ => Replies.Usage($"/feeds {action.Name} takes no arguments.", UsageLines),
        };
    }

    public override CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values)
    {
        if (action is null || FindAction(action) is not { } found)
        {
            return Replies.Usage("Say what to do with the feeds.", UsageLines);
        }

        return Enum.Parse<FeedsAction>(found.Name, ignoreCase: true) switch
        {
            FeedsAction.Add => OptionText(values, "url") is { Length: > 0 } url ? new FeedsArgs(FeedsAction.Add, Url: url) : Missing(this, "url"),
            var withId and (FeedsAction.Remove or FeedsAction.Pause or FeedsAction.Resume) => OptionText(values, "id") is { Length: > 0 } id
                ? ParseId(id, feedId => new FeedsArgs(withId, FeedId: feedId), found.Usage)
                : Missing(this, "id"),
            var other => new FeedsArgs(other),
        };
    }

    /// <summary>A feed id as /feeds list shows it (<c>12</c> or <c>#12</c>).</summary>
    internal static CommandBinding ParseId(string text, Func<long, CommandArgs> args, string usage) =>
        long.TryParse(text.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? args(id)
            : Replies.Usage($"\"{Shorten(text)}\" is not a feed id: use the number /feeds list shows.", usage);
}

/// <summary>/feeds: what a chat reads. Addresses pass the SSRF guard and feed autodiscovery before they are stored.</summary>
public sealed partial class FeedsHandler(
    IChannelStore channels,
    IFeedStore feeds,
    IFeedPauseStore pauses,
    IFeedUrlValidator urlValidator,
    IFeedReader reader,
    FeedHealth health,
    IOptions<CommandOptions> options,
    TimeProvider time) : ICommandHandler<FeedsArgs>
{
    private const int MaxFeedUrlLength = 2048;

    private readonly CommandOptions _options = options.Value;

    public ValueTask<CommandReply?> ValidateAsync(FeedsArgs args, CommandContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(args.Action switch
        {
            FeedsAction.Add => CheckFeedUrl(args.Url!.Trim()) switch
            {
                (null, var problem, true) => Error($"That feed address is not accepted: {problem}"),
                (null, var problem, false) => Usage(problem!, "/feeds add <url>"),
                _ => null,
            },
            FeedsAction.Import => CheckImportFile(context),
            _ => null,
        });

    public async Task<CommandReply> HandleAsync(FeedsArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        if (args.Action is FeedsAction.List or FeedsAction.Export)
        {
            var found = await channels.GetChannelAsync(context.Channel, cancellationToken);
            var reading = found is null ? [] : await channels.ListChannelFeedsAsync(found.Id, cancellationToken);
            return args.Action == FeedsAction.List
                ? List(reading, found is null ? new HashSet<long>() : await pauses.ListPausedFeedsAsync(found.Id, cancellationToken))
                : Export(reading, context);
        }

        var channel = await channels.GetChannelAsync(context.Channel, cancellationToken);
        if (channel is null)
        {
            return NotSubscribed();
        }

        return args.Action switch
        {
            FeedsAction.Add => await AddAsync(channel, args.Url!.Trim(), cancellationToken),
            FeedsAction.Remove => await channels.DetachFeedAsync(channel.Id, args.FeedId!.Value, cancellationToken)
                ? new CommandReply($"This chat no longer reads feed #{args.FeedId}.")
                : Error($"This chat does not read a feed #{args.FeedId}; /feeds list shows the ids."),
            FeedsAction.Pause or FeedsAction.Resume => await SetPausedAsync(channel, args.FeedId!.Value, args.Action == FeedsAction.Pause, cancellationToken),
            _ => await ImportAsync(channel, context.Attachment!, cancellationToken),
        };
    }

    /// <summary>
    /// Pauses or resumes one feed for this chat only: it stays on the chat's list (and is polled for its other
    /// readers), but sends nothing here until resumed. Items it carried meanwhile are not sent later.
    /// </summary>
    private async Task<CommandReply> SetPausedAsync(Channel channel, long feedId, bool paused, CancellationToken ct)
    {
        var wasPaused = (await pauses.ListPausedFeedsAsync(channel.Id, ct)).Contains(feedId);
        if (!await pauses.SetFeedPausedAsync(channel.Id, feedId, paused, time.GetUtcNow(), ct))
        {
            return Error($"This chat does not read a feed #{feedId}; /feeds list shows the ids.");
        }

        return (paused, wasPaused) switch
        {
            (true, true) => new CommandReply($"Feed #{feedId} is already paused here; /feeds resume {feedId} turns it back on."),
            (true, false) => new CommandReply($"Feed #{feedId} is paused here: news from it is not sent to this chat until /feeds resume {feedId}. The rest of the feeds still alert."),
            (false, false) => new CommandReply($"Feed #{feedId} is not paused here."),
            _ => new CommandReply($"Feed #{feedId} alerts here again, from its next new items."),
        };
    }

    private CommandReply List(IReadOnlyList<FeedRecord> reading, IReadOnlySet<long> paused)
    {
        if (reading.Count == 0)
        {
            return new CommandReply("This chat reads no feeds. /subscribe adds the default feeds; /feeds add <url> adds one.");
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Reading {Plural(reading.Count, "feed")}:");
        foreach (var feed in reading)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n#{feed.Id} {Shown(feed.Name)} — {Shown(feed.Url)}\n   {health.Describe(feed)}");
            if (paused.Contains(feed.Id))
            {
                text.Append(CultureInfo.InvariantCulture, $"; paused here (/feeds resume {feed.Id})");
            }
        }

        return new CommandReply(text.ToString());
    }

    private async Task<CommandReply> AddAsync(Channel channel, string url, CancellationToken ct)
    {
        var uri = new Uri(url);

        // A web page's address: the feed it links to is added instead, and said so; a page with none or several is
        // refused with what it offers (feed autodiscovery). Any other read failure adds the feed as before: a feed that
        // is down now may be up at the first poll, and /feeds list shows its health.
        var note = "";
        switch (await reader.ReadAsync(uri.AbsoluteUri, FeedValidators.None, ct))
        {
            case FeedReadResult.Success { ReadFrom: { } found }:
                var (foundUri, foundProblem, _) = CheckFeedUrl(found);
                if (foundUri is null)
                {
                    return Error($"That address is a web page; the feed it links to is not accepted: {foundProblem}");
                }

                (url, uri, note) = (found, foundUri, $"That address is a web page; it links to the feed {Shown(found)}, added instead. ");
                break;
            case FeedReadResult.Failure failure when failure.Reason.StartsWith(FeedReasons.WebPage, StringComparison.Ordinal):
                return Error($"Not added: {CommandParser.Shorten(failure.Reason, 1000)}.");
        }

        var current = (await channels.ListChannelFeedsAsync(channel.Id, ct)).ToList();
        var (feed, status) = await AddChannelFeedAsync(channel, url, uri, current, ct);
        return status switch
        {
            FeedAddStatus.AlreadyThere => new CommandReply($"This chat already reads {Shown(feed!.Url)} (#{feed.Id})."),
            FeedAddStatus.OverLimit => Error($"This chat already reads {current.Count} feeds, the limit: remove one with /feeds remove <id> first."),
            _ => new CommandReply(note + $"Added feed #{feed!.Id} {Shown(feed.Name)} ({Shown(feed.Url)}). " + (feed.BaselineDone
                ? "It is already being polled; alerts come with its next new items."
                : "The first poll records what the feed already holds as a baseline; alerts start with items that appear after that.")),
        };
    }

    private enum FeedAddStatus { Added, AlreadyThere, OverLimit }

    /// <summary>
    /// The address as a feed may be stored, or the problem (<c>FromGuard</c>: the SSRF guard's reason, not a typo).
    /// </summary>
    private (Uri? Uri, string? Problem, bool FromGuard) CheckFeedUrl(string url)
    {
        if (url.Length > MaxFeedUrlLength ||
            !Uri.TryCreate(url, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            string.IsNullOrEmpty(uri.Host))
        {
            return (null, $"\"{Shorten(url)}\" is not a feed address: give an absolute http:// or https:// URL.", false);
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return (null, "Feed addresses with a user name or password are not accepted.", false);
        }

        // The SSRF guard's view of the address (private, loopback, metadata ...), before anything is stored.
        return urlValidator.Validate(url) is { } refusedUrl ? (null, refusedUrl, true) : (uri, null, false);
    }

    /// <summary>
    /// Attaches a checked address to the channel, within the cap; <paramref name="current"/> (the channel's feeds)
    /// grows with it so that an import counts what it added.
    /// </summary>
    private async Task<(FeedRecord? Feed, FeedAddStatus Status)> AddChannelFeedAsync(
        Channel channel, string url, Uri uri, List<FeedRecord> current, CancellationToken ct)
    {
        var existing = await feeds.FindFeedByUrlAsync(url, ct) ?? await feeds.FindFeedByUrlAsync(uri.AbsoluteUri, ct);
        if (existing is not null && current.Any(f => f.Id == existing.Id))
        {
            return (existing, FeedAddStatus.AlreadyThere);
        }

        if (current.Count >= _options.MaxFeedsPerChannel)
        {
            return (null, FeedAddStatus.OverLimit);
        }

        // A feed added from chat starts with a baseline: what it already holds is not news to anyone.
        var feed = existing ?? await feeds.UpsertFeedAsync(
            new FeedDefinition(uri.AbsoluteUri, uri.Host, Interval: null, Backfill: 0), time.GetUtcNow(), ct);
        await channels.AttachFeedAsync(channel.Id, feed.Id, ct);
        current.Add(feed);
        return (feed, FeedAddStatus.Added);
    }
}
