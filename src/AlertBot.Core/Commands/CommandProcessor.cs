using System.Globalization;
using System.Text;
using AlertBot.Core.Actions;
using AlertBot.Core.Channels;
using AlertBot.Core.Feeds;
using AlertBot.Core.Items;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Stories;
using AlertBot.Core.Watchlists;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Commands;

/// <summary>
/// The command set. Every reply is plain text; every read and write is keyed by <see cref="CommandContext.Channel"/>,
/// so a chat only ever sees and changes its own settings.
/// </summary>
public sealed partial class CommandProcessor : ICommandProcessor
{
    private const int MaxFeedUrlLength = 2048;
    private const int MaxTestHitsShown = 10;
    private const int MaxExcerptLength = 300;
    private const int MaxShownLength = 150;

    private readonly IAlertStore _store;
    private readonly IFeedUrlValidator? _urlValidator;
    private readonly IStoryStore? _stories;
    private readonly IFeedReader? _reader;
    private readonly IAlertActionStore? _actions;
    private readonly ActorDictionary _actors;
    private readonly WatchlistPresets _presets;
    private readonly CommandOptions _options;
    private readonly PollingOptions _polling;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandProcessor> _logger;

    public CommandProcessor(
        IAlertStore store,
        ActorDictionary actors,
        WatchlistPresets presets,
        IOptions<CommandOptions> options,
        IOptions<PollingOptions> polling,
        TimeProvider time,
        ILogger<CommandProcessor> logger,
        IFeedUrlValidator? urlValidator = null,
        IStoryStore? stories = null,
        IFeedReader? reader = null,
        IAlertActionStore? actions = null)
    {
        _reader = reader;
        _actions = actions;
        _urlValidator = urlValidator;
        _stories = stories;
        _store = store;
        _actors = actors;
        _presets = presets;
        _options = options.Value;
        _polling = polling.Value;
        _time = time;
        _logger = logger;
    }

    public async Task<CommandReply> ExecuteAsync(string text, CommandContext context, CancellationToken cancellationToken)
    {
        var parsed = CommandParser.Parse(text);
        if (parsed.Command is not { } command)
        {
            // A known command typed wrongly gets its own usage; anything else the whole list.
            var word = (text ?? "").TrimStart().TrimStart('/').Split([' ', '@', '\n', '\t'], 2)[0];
            return CommandCatalog.Find(word) is { } known
                ? Usage(parsed.Error!, known.Usage.Replace(" · ", "\n", StringComparison.Ordinal))
                : Error(parsed.Error + "\n\n" + HelpText());
        }

        try
        {
            return await DispatchAsync(command, context, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AdminCheckFailedException)
        {
            // Asked before any change, so nothing changed; the adapter logged why the platform did not answer.
            return Error("Could not check with the platform whether you are an admin of this chat, so nothing was changed. Please try again in a moment.");
        }
        catch (Exception ex)
        {
            LogCommandFailed(_logger, command.Name, context.Channel.ToString(), ex);
            return Error($"Sorry, /{command.Name} failed because of an internal error. Nothing was lost; please try again later.");
        }
    }

    private Task<CommandReply> DispatchAsync(ParsedCommand command, CommandContext context, CancellationToken ct) =>
        command.Name switch
        {
            "start" => StartAsync(context, ct),
            "help" => Task.FromResult(new CommandReply(HelpText())),
            "subscribe" => SubscribeAsync(command, context, ct),
            "unsubscribe" => UnsubscribeAsync(context, ct),
            "watch" => WatchAsync(command, context, ct),
            "feeds" => FeedsAsync(command, context, ct),
            "test" => TestAsync(command, context, ct),
            "status" => StatusAsync(context, ct),
            "pause" => SetPausedAsync(context, paused: true, ct),
            "resume" => SetPausedAsync(context, paused: false, ct),
            "digest" => DigestAsync(command, context, ct),
            "actors" => Task.FromResult(Actors(command)),
            AlertButtons.CommandName => ButtonAsync(command, context, ct),
            "escalate" => EscalateAsync(command, context, ct),
            "trend" => TrendAsync(command, context, ct),
            _ => Task.FromResult(Error($"Unknown command /{command.Name}.\n\n{HelpText()}")),
        };

    public static string HelpText()
    {
        var text = new StringBuilder("AlertBot posts news that matches this chat's watchlist. Commands:\n");
        foreach (var info in CommandCatalog.All)
        {
            text.Append('\n').Append(info.Usage).Append(" — ").Append(info.Description);
        }

        return text.Append("\n\nIn groups and channels only admins can change settings.").ToString();
    }

    // ---- subscription ----------------------------------------------------------------------------------------

    private async Task<CommandReply> StartAsync(CommandContext context, CancellationToken ct)
    {
        var channel = await _store.GetChannelAsync(context.Channel, ct);
        if (channel is { Active: false })
        {
            if (!await MayChangeAsync(context, ct))
            {
                return Refused("re-activate alerts");
            }

            return await SubscribeCoreAsync(context, presetName: null, greeting: "Welcome back! ", ct);
        }

        var next = channel is null
            ? "Use /subscribe to start alerts here, then /watch add <term> to choose what to watch."
            : channel.Paused ? "Alerts here are paused: /resume sends them again." : "This chat is subscribed; /status shows the details.";
        return new CommandReply($"Hello! I am AlertBot. {next}\n\n{HelpText()}");
    }

    private async Task<CommandReply> SubscribeAsync(ParsedCommand command, CommandContext context, CancellationToken ct)
    {
        if (command.Arguments.Count > 1)
        {
            return Usage("Give at most one watchlist or feed pack name.", "/subscribe [watchlist | pack]");
        }

        if (!await MayChangeAsync(context, ct))
        {
            return Refused("subscribe this chat");
        }

        return await SubscribeCoreAsync(context, command.Arguments.Count == 1 ? command.Arguments[0].Text : null, greeting: "", ct);
    }

    private async Task<CommandReply> SubscribeCoreAsync(CommandContext context, string? presetName, string greeting, CancellationToken ct)
    {
        // A feed pack (config/feeds/<name>.opml) of the same name brings its feeds too: /subscribe middle-east is the
        // preset's terms and the pack's news sources in one step.
        var pack = presetName is null ? null : FeedPacks.Find(presetName);
        var preset = _presets.Find(presetName ?? _options.DefaultWatchlist)
            ?? (pack is not null ? _presets.Find(_options.DefaultWatchlist) : null);
        if (preset is null && pack is null && presetName is not null)
        {
            var names = _presets.Count == 0 ? "none are configured" : string.Join(", ", _presets.Select(p => p.Name));
            var packs = FeedPacks.Names() is { Count: > 0 } found ? $"; feed packs: {string.Join(", ", found)}" : "";
            return Error($"There is no watchlist or feed pack named \"{Shorten(presetName)}\" (watchlists: {names}{packs}). Nothing was changed.");
        }

        var now = _time.GetUtcNow();
        var channel = await _store.EnsureChannelAsync(context.Channel, context.ChannelTitle, now, ct);
        await _store.SetChannelActiveAsync(channel.Id, true, ct);
        await _store.SetChannelPausedAsync(channel.Id, false, ct);

        var attached = 0;
        var overCap = 0;
        var reading = (await _store.ListChannelFeedsAsync(channel.Id, ct)).Select(f => f.Url).ToHashSet(StringComparer.Ordinal);
        var wanted = _polling.Feeds
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

            var feed = await _store.FindFeedByUrlAsync(definition.Url, ct) ?? await _store.UpsertFeedAsync(definition, now, ct);
            if (await _store.AttachFeedAsync(channel.Id, feed.Id, ct))
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

        var terms = await _store.ListWatchTermsAsync(channel.Id, ct);
        if (terms.Count == 0 && preset is not null)
        {
            var added = 0;
            foreach (var term in preset.Terms.Take(_options.MaxTermsPerChannel))
            {
                if (await _store.AddWatchTermAsync(channel.Id, term, now, ct))
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
            LogPackUnreadable(_logger, path, ex.Message);
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed pack {Path} cannot be read: {Reason}")]
    private static partial void LogPackUnreadable(ILogger logger, string path, string reason);

    private async Task<CommandReply> UnsubscribeAsync(CommandContext context, CancellationToken ct)
    {
        if (!await MayChangeAsync(context, ct))
        {
            return Refused("unsubscribe this chat");
        }

        var channel = await _store.GetChannelAsync(context.Channel, ct);
        if (channel is not { Active: true })
        {
            return new CommandReply("This chat is not subscribed; nothing to do.");
        }

        await _store.SetChannelActiveAsync(channel.Id, false, ct);
        return new CommandReply("Alerts are off for this chat. The watchlist is kept: /subscribe turns alerts back on.");
    }

    private async Task<CommandReply> SetPausedAsync(CommandContext context, bool paused, CancellationToken ct)
    {
        var verb = paused ? "pause" : "resume";
        if (!await MayChangeAsync(context, ct))
        {
            return Refused($"{verb} alerts");
        }

        var channel = await _store.GetChannelAsync(context.Channel, ct);
        if (channel is not { Active: true })
        {
            return Error($"This chat is not subscribed, so there is nothing to {verb}: use /subscribe first.");
        }

        if (channel.Paused == paused)
        {
            return new CommandReply(paused ? "Alerts are already paused." : "Alerts are not paused.");
        }

        await _store.SetChannelPausedAsync(channel.Id, paused, ct);
        return new CommandReply(paused
            ? "Alerts are paused: news found meanwhile is not sent. /resume turns them back on."
            : "Alerts are on again.");
    }

    // ---- watchlist -------------------------------------------------------------------------------------------

    private const string WatchUsage = "/watch add <term | \"phrase\">\n/watch remove <term>\n/watch list\n/watch priority <term>\n/watch normal <term>";

    private Task<CommandReply> WatchAsync(ParsedCommand command, CommandContext context, CancellationToken ct)
    {
        var sub = command.Arguments.Count > 0 && !command.Arguments[0].Quoted
            ? command.Arguments[0].Text.ToLowerInvariant()
            : "";
        return sub switch
        {
            "add" => WatchAddAsync(command.Rest(1), AfterFirstWord(command.RawArguments), context, ct),
            "remove" or "rm" or "delete" => WatchRemoveAsync(command.Rest(1), context, ct),
            "priority" => WatchPriorityAsync(command.Rest(1), context, priority: true, ct),
            "normal" => WatchPriorityAsync(command.Rest(1), context, priority: false, ct),
            "list" or "ls" when command.Arguments.Count == 1 => WatchListAsync(context, ct),
            "list" or "ls" => Task.FromResult(Usage("/watch list takes no arguments.", WatchUsage)),
            "" when command.Arguments.Count == 0 => Task.FromResult(Usage("Say what to do with the watchlist.", WatchUsage)),
            _ => Task.FromResult(Usage($"Unknown /watch action \"{Shorten(command.Arguments[0].Text)}\".", WatchUsage)),
        };
    }

    private async Task<CommandReply> WatchAddAsync(
        IReadOnlyList<CommandArgument> args, string raw, CommandContext context, CancellationToken ct)
    {
        // A query (operators, field prefixes, NEAR, @actor, /regex/) is kept as typed; a plain word or one quoted
        // phrase is stored as its text, as before.
        var isQuery = WatchQuery.TryParse(raw, _actors, out var query, out _) && !query.IsPlain;
        var (term, problem) = isQuery ? QueryTermFrom(raw, WatchAddUsage) : TermFrom(args, WatchAddUsage);
        if (problem is not null)
        {
            return problem;
        }

        if (!WatchQuery.TryParse(term!, _actors, out _, out var queryError))
        {
            return Usage($"That term is not a valid query: {queryError}.", WatchAddUsage + "\n" + QueryHelp);
        }

        var (channel, refused) = await ChannelToChangeAsync(context, "change the watchlist", ct);
        if (channel is null)
        {
            return refused!;
        }

        var terms = await _store.ListWatchTermsAsync(channel.Id, ct);
        if (terms.Any(t => string.Equals(t.Text, term, StringComparison.OrdinalIgnoreCase)))
        {
            return new CommandReply($"\"{term}\" is already on the watchlist.");
        }

        var actor = ActorNamedBy(term!);
        if (actor is not null && terms.FirstOrDefault(t => ActorNamedBy(t.Text)?.Name == actor.Name) is { } covering)
        {
            return new CommandReply($"\"{term}\" is already covered: \"{covering.Text}\" on the watchlist matches every name of {actor.Name} ({string.Join(", ", actor.Aliases)}).");
        }

        if (terms.Count >= _options.MaxTermsPerChannel)
        {
            return Error($"The watchlist is full ({terms.Count} of {_options.MaxTermsPerChannel} terms): remove one with /watch remove <term> first.");
        }

        if (!await _store.AddWatchTermAsync(channel.Id, term!, _time.GetUtcNow(), ct))
        {
            return new CommandReply($"\"{term}\" is already on the watchlist.");
        }

        var covers = actor is null ? "" : $" It names {actor.Name}, so it also matches: {string.Join(", ", actor.Aliases)}.";
        return new CommandReply($"Watching \"{term}\".{covers}");
    }

    private async Task<CommandReply> WatchRemoveAsync(IReadOnlyList<CommandArgument> args, CommandContext context, CancellationToken ct)
    {
        var (term, problem) = TermFrom(args, "/watch remove <term>");
        if (problem is not null)
        {
            return problem;
        }

        var (channel, refused) = await ChannelToChangeAsync(context, "change the watchlist", ct);
        if (channel is null)
        {
            return refused!;
        }

        return await _store.RemoveWatchTermAsync(channel.Id, term!, ct)
            ? new CommandReply($"Stopped watching \"{term}\".")
            : Error($"\"{term}\" is not on the watchlist; /watch list shows what is.");
    }

    private async Task<CommandReply> WatchListAsync(CommandContext context, CancellationToken ct)
    {
        var channel = await _store.GetChannelAsync(context.Channel, ct);
        var terms = channel is null ? [] : await _store.ListWatchTermsAsync(channel.Id, ct);
        if (terms.Count == 0)
        {
            return new CommandReply("The watchlist is empty. Add a term with /watch add <term | \"phrase\">.");
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Watching {Plural(terms.Count, "term")} (of {_options.MaxTermsPerChannel}):");
        var priority = channel is null || _stories is null ? [] : (await _stories.ListPriorityTermsAsync([channel.Id], ct))
            .Select(p => p.Text).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var mutes = channel is null || _actions is null ? [] : (await _actions.ListTermMutesAsync([channel.Id], _time.GetUtcNow(), ct))
            .ToDictionary(m => m.Term, m => m.Until, StringComparer.OrdinalIgnoreCase);
        foreach (var term in terms)
        {
            text.Append("\n• ").Append(term.Text);
            if (priority.Contains(term.Text))
            {
                text.Append(" (priority)");
            }

            if (mutes.TryGetValue(term.Text.Trim(), out var mutedUntil))
            {
                text.Append(" (muted until ").Append(Stamp(mutedUntil)).Append(')');
            }

            if (ActorNamedBy(term.Text) is { } actor)
            {
                text.Append(string.Equals(actor.Name, term.Text, StringComparison.OrdinalIgnoreCase) ? " — covers: " : $" — names {actor.Name}, covers: ")
                    .AppendJoin(", ", actor.Aliases);
            }
        }

        return new CommandReply(text.ToString());
    }

    /// <summary>The actor whose every spelling a term matches (not an exact <c>=Iran</c>, not a query of several parts).</summary>
    private Actor? ActorNamedBy(string term) =>
        WatchQuery.TryParse(term, _actors, out var query, out _) ? query.NamedActor : null;

    /// <summary>One term from the arguments: a quoted phrase, or the unquoted words joined by single spaces.</summary>
    private const string WatchAddUsage = "/watch add <term | \"phrase\" | query>";

    private const string QueryHelp =
        "Queries: Houthis AND \"Red Sea\" · Qaani OR Ghaani · Iran -Israel · title:Houthis · Houthis NEAR/10 \"Red Sea\" · @houthis · /regex/i";

    private static string AfterFirstWord(string raw)
    {
        var trimmed = raw.TrimStart();
        var space = trimmed.IndexOfAny([' ', '\t', '\n']);
        return space < 0 ? "" : trimmed[(space + 1)..].Trim();
    }

    /// <summary>A query term: the raw text, with the same emptiness, control-character and length rules as a term.</summary>
    private (string? Term, CommandReply? Problem) QueryTermFrom(string raw, string usage) =>
        TermFrom([new CommandArgument(raw, Quoted: false)], usage);

    private (string? Term, CommandReply? Problem) TermFrom(IReadOnlyList<CommandArgument> args, string usage)
    {
        if (args.Count == 0)
        {
            return (null, Usage("Say which term.", usage));
        }

        if (args.Count > 1 && args.Any(a => a.Quoted))
        {
            return (null, Usage("One term at a time: put a phrase in quotes, for example \"Red Sea\".", usage));
        }

        var term = string.Join(' ', args.Select(a => a.Text)).Trim();
        term = string.Join(' ', term.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (term.Length == 0)
        {
            return (null, Usage("The term is empty.", usage));
        }

        if (term.Any(char.IsControl))
        {
            return (null, Usage("The term contains control characters.", usage));
        }

        // Direction overrides make a list read differently from what it holds; a lone surrogate is not text at all.
        if (term.Any(IsBidiControl) || !IsWellFormed(term))
        {
            return (null, Usage("The term contains invisible direction marks or broken characters; type it plainly.", usage));
        }

        if (term.Length > _options.MaxTermLength)
        {
            return (null, Usage($"The term is {term.Length} characters long; the limit is {_options.MaxTermLength}.", usage));
        }

        return (term, null);
    }

    // ---- feeds -----------------------------------------------------------------------------------------------

    private const string FeedsUsage = "/feeds list\n/feeds add <url>\n/feeds remove <id>\n/feeds import (with an .opml file)\n/feeds export";

    private Task<CommandReply> FeedsAsync(ParsedCommand command, CommandContext context, CancellationToken ct)
    {
        var sub = command.Arguments.Count > 0 ? command.Arguments[0].Text.ToLowerInvariant() : "";
        var args = command.Rest(1);
        return sub switch
        {
            "list" or "ls" when args.Count == 0 => FeedsListAsync(context, ct),
            "add" when args.Count == 1 => FeedsAddAsync(args[0].Text, context, ct),
            "add" => Task.FromResult(Usage("Give exactly one feed URL.", "/feeds add <url>")),
            "remove" or "rm" or "delete" when args.Count == 1 => FeedsRemoveAsync(args[0].Text, context, ct),
            "remove" or "rm" or "delete" => Task.FromResult(Usage("Give exactly one feed id (see /feeds list).", "/feeds remove <id>")),
            "import" when args.Count == 0 => FeedsImportAsync(context, ct),
            "export" when args.Count == 0 => FeedsExportAsync(context, ct),
            "list" or "ls" or "import" or "export" => Task.FromResult(Usage($"/feeds {sub} takes no arguments.", FeedsUsage)),
            "" => Task.FromResult(Usage("Say what to do with the feeds.", FeedsUsage)),
            _ => Task.FromResult(Usage($"Unknown /feeds action \"{Shorten(command.Arguments[0].Text)}\".", FeedsUsage)),
        };
    }

    private async Task<CommandReply> FeedsListAsync(CommandContext context, CancellationToken ct)
    {
        var channel = await _store.GetChannelAsync(context.Channel, ct);
        var feeds = channel is null ? [] : await _store.ListChannelFeedsAsync(channel.Id, ct);
        if (feeds.Count == 0)
        {
            return new CommandReply("This chat reads no feeds. /subscribe adds the default feeds; /feeds add <url> adds one.");
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Reading {Plural(feeds.Count, "feed")}:");
        foreach (var feed in feeds)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n#{feed.Id} {Shown(feed.Name)} — {Shown(feed.Url)}\n   {Health(feed)}");
        }

        return new CommandReply(text.ToString());
    }

    private async Task<CommandReply> FeedsAddAsync(string url, CommandContext context, CancellationToken ct)
    {
        url = url.Trim();
        var (uri, problem, fromGuard) = CheckFeedUrl(url);
        if (uri is null)
        {
            return fromGuard
                ? Error($"That feed address is not accepted: {problem}")
                : Usage(problem!, "/feeds add <url>");
        }

        var (channel, refused) = await ChannelToChangeAsync(context, "add feeds", ct);
        if (channel is null)
        {
            return refused!;
        }

        // A web page's address: the feed it links to is added instead, and said so; a page with none or several is
        // refused with what it offers (feed autodiscovery). Any other read failure adds the feed as before: a feed that
        // is down now may be up at the first poll, and /feeds list shows its health.
        var note = "";
        if (_reader is not null)
        {
            switch (await _reader.ReadAsync(uri.AbsoluteUri, FeedValidators.None, ct))
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
        }

        var current = (await _store.ListChannelFeedsAsync(channel.Id, ct)).ToList();
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
        return _urlValidator?.Validate(url) is { } refusedUrl ? (null, refusedUrl, true) : (uri, null, false);
    }

    /// <summary>
    /// Attaches a checked address to the channel, within the cap; <paramref name="current"/> (the channel's feeds)
    /// grows with it so that an import counts what it added.
    /// </summary>
    private async Task<(FeedRecord? Feed, FeedAddStatus Status)> AddChannelFeedAsync(
        Channel channel, string url, Uri uri, List<FeedRecord> current, CancellationToken ct)
    {
        var existing = await _store.FindFeedByUrlAsync(url, ct) ?? await _store.FindFeedByUrlAsync(uri.AbsoluteUri, ct);
        if (existing is not null && current.Any(f => f.Id == existing.Id))
        {
            return (existing, FeedAddStatus.AlreadyThere);
        }

        if (current.Count >= _options.MaxFeedsPerChannel)
        {
            return (null, FeedAddStatus.OverLimit);
        }

        // A feed added from chat starts with a baseline: what it already holds is not news to anyone.
        var feed = existing ?? await _store.UpsertFeedAsync(
            new FeedDefinition(uri.AbsoluteUri, uri.Host, Interval: null, Backfill: 0), _time.GetUtcNow(), ct);
        await _store.AttachFeedAsync(channel.Id, feed.Id, ct);
        current.Add(feed);
        return (feed, FeedAddStatus.Added);
    }

    private async Task<CommandReply> FeedsRemoveAsync(string idText, CommandContext context, CancellationToken ct)
    {
        if (!long.TryParse(idText.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var feedId))
        {
            return Usage($"\"{Shorten(idText)}\" is not a feed id: use the number /feeds list shows.", "/feeds remove <id>");
        }

        var (channel, refused) = await ChannelToChangeAsync(context, "remove feeds", ct);
        if (channel is null)
        {
            return refused!;
        }

        return await _store.DetachFeedAsync(channel.Id, feedId, ct)
            ? new CommandReply($"This chat no longer reads feed #{feedId}.")
            : Error($"This chat does not read a feed #{feedId}; /feeds list shows the ids.");
    }

    // ---- dry run and status ----------------------------------------------------------------------------------

    private async Task<CommandReply> TestAsync(ParsedCommand command, CommandContext context, CancellationToken ct)
    {
        var text = command.RawArguments;
        if (text.Length == 0)
        {
            return Usage("Give the text to try.", "/test <text>");
        }

        if (text.Length > _options.MaxTestTextLength)
        {
            return Usage($"The text is {text.Length} characters long; the limit is {_options.MaxTestTextLength}.", "/test <text>");
        }

        var channel = await _store.GetChannelAsync(context.Channel, ct);
        var terms = channel is null ? [] : await _store.ListWatchTermsAsync(channel.Id, ct);
        if (channel is null || terms.Count == 0)
        {
            return new CommandReply("Nothing would alert: this chat's watchlist is empty. Add a term with /watch add <term>.");
        }

        var matcher = CompiledMatcher.Build(terms.Select(t => new MatchRule(channel.Id, t.Text)), _actors);
        var matches = matcher.Match(new NewsItem { Id = "test", Title = "", Text = text });
        if (!matches.ByOwner.TryGetValue(channel.Id, out var hits) || hits.Count == 0)
        {
            return new CommandReply($"Nothing would alert: none of this chat's {Plural(terms.Count, "term")} matched.");
        }

        // Bounded: many terms hitting one long sentence must not turn a 4000-character /test into a wall of replies.
        var reply = new StringBuilder("This would alert here:");
        // One line per query and sentence: a NEAR (or AND) query is one reason to alert, however many sides it has.
        var distinct = hits.GroupBy(h => (h.Term, h.Sentence)).Select(g => g.DistinctBy(h => (h.Alias, h.MatchedText)).ToList()).ToList();
        foreach (var parts in distinct.Take(MaxTestHitsShown))
        {
            var hit = parts[0];
            var found = parts.Count == 1
                ? (string.Equals(hit.Alias, hit.Term, StringComparison.OrdinalIgnoreCase) ? "" : $" (as \"{hit.Alias}\")") + $": \"{hit.MatchedText}\""
                : ": " + string.Join(", ", parts.Select(p => string.Equals(p.Alias, p.MatchedText, StringComparison.OrdinalIgnoreCase)
                    ? $"\"{p.MatchedText}\""
                    : $"\"{p.MatchedText}\" (as \"{p.Alias}\")"));
            reply.Append(CultureInfo.InvariantCulture, $"\n• {hit.Term}{found} in: {Excerpt(hit.Sentence, hit.MatchedText)}");
        }

        if (distinct.Count > MaxTestHitsShown)
        {
            reply.Append(CultureInfo.InvariantCulture, $"\n… and {distinct.Count - MaxTestHitsShown} more.");
        }

        if (channel is { Active: false } or { Paused: true })
        {
            reply.Append("\n(Alerts are ").Append(channel.Active ? "paused" : "off").Append(" here, so nothing would be sent now.)");
        }

        return new CommandReply(reply.ToString());
    }

    private async Task<CommandReply> StatusAsync(CommandContext context, CancellationToken ct)
    {
        var channel = await _store.GetChannelAsync(context.Channel, ct);
        if (channel is null)
        {
            return new CommandReply("This chat is not subscribed. /subscribe starts alerts here.");
        }

        var state = !channel.Active ? "inactive (unsubscribed; /subscribe turns alerts back on)"
            : channel.Paused ? "paused (/resume sends alerts again)"
            : "subscribed";
        var terms = await _store.ListWatchTermsAsync(channel.Id, ct);
        var feeds = await _store.ListChannelFeedsAsync(channel.Id, ct);
        var stats = await _store.GetOutboxStatsAsync(channel.Id, ct);

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Status: {state}\n");
        text.Append(CultureInfo.InvariantCulture, $"Watch terms: {terms.Count} of {_options.MaxTermsPerChannel}\n");
        text.Append(CultureInfo.InvariantCulture, $"Last alert: {(stats.LastDeliveredAt is { } last ? Stamp(last) : "none yet")}\n");
        text.Append(CultureInfo.InvariantCulture, $"Alerts queued: {stats.Pending}");
        if (stats.Undeliverable > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" (undeliverable: {stats.Undeliverable})");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nFeeds: {feeds.Count}");
        foreach (var feed in feeds)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n#{feed.Id} {Shown(feed.Name)}: {Health(feed)}");
        }

        return new CommandReply(text.ToString());
    }

    // ---- shared pieces ---------------------------------------------------------------------------------------

    /// <summary>This chat's channel when the user may change it; otherwise the reply that says why not.</summary>
    private async Task<(Channel? Channel, CommandReply? Refusal)> ChannelToChangeAsync(CommandContext context, string what, CancellationToken ct)
    {
        if (!await MayChangeAsync(context, ct))
        {
            return (null, Refused(what));
        }

        var channel = await _store.GetChannelAsync(context.Channel, ct);
        return channel is null ? (null, NotSubscribed()) : (channel, null);
    }

    /// <summary>A private chat belongs to its user; elsewhere only the platform's admins change settings.</summary>
    private static async Task<bool> MayChangeAsync(CommandContext context, CancellationToken ct) =>
        context.IsPrivate || context.UserIsAdmin || (context.AdminCheck is { } check && await check(ct));

    public string Health(FeedRecord feed)
    {
        if (feed.LastPolledAt is null)
        {
            return "never polled yet";
        }

        if (feed.ConsecutiveFailures > 0 || feed.LastError is not null)
        {
            // The store keeps the last success, not the first failure: failing since then is what we can say for sure.
            var since = feed.LastSuccessAt is { } ok ? $"the last success at {Stamp(ok)}" : $"it was added at {Stamp(feed.CreatedAt)}";
            var paused = feed.ConsecutiveFailures >= _polling.MaxConsecutiveFailures
                ? $"; paused, tried again every {Describe(_polling.PausedRetryInterval)}"
                : "";
            return $"failing since {since} ({Plural(Math.Max(1, feed.ConsecutiveFailures), "failed poll")} in a row{paused}); last error: {Shown(feed.LastError ?? "unknown")}";
        }

        return $"ok (last poll {Stamp(feed.LastPolledAt.Value)})";
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays % 1 == 0 ? Plural((int)span.TotalDays, "day")
        : span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? Plural((int)span.TotalHours, "hour")
        : span.TotalMinutes >= 1 && span.TotalMinutes % 1 == 0 ? Plural((int)span.TotalMinutes, "minute")
        : Plural((int)Math.Ceiling(span.TotalSeconds), "second");

    private static string Stamp(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Plural(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    private static bool IsBidiControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The sentence, or a window of it around the match when it is too long to quote whole.</summary>
    private static string Excerpt(string sentence, string matched)
    {
        if (sentence.Length <= MaxExcerptLength)
        {
            return sentence;
        }

        var at = Math.Max(0, sentence.IndexOf(matched, StringComparison.OrdinalIgnoreCase));
        var start = Math.Clamp(at - ((MaxExcerptLength - matched.Length) / 2), 0, sentence.Length - MaxExcerptLength);
        if (start > 0 && char.IsLowSurrogate(sentence[start]))
        {
            start--;
        }

        var end = Math.Min(sentence.Length, start + MaxExcerptLength);
        if (end < sentence.Length && char.IsLowSurrogate(sentence[end]))
        {
            end++;
        }

        return (start > 0 ? "…" : "") + sentence[start..end] + (end < sentence.Length ? "…" : "");
    }

    private static string Shorten(string text) => CommandParser.Shorten(text, 40);

    // Feed addresses may be 2048 characters and errors long: a listing shows enough to recognise them, so that a
    // chat's /feeds list stays a message or two rather than dozens.
    private static string Shown(string text) => CommandParser.Shorten(text, MaxShownLength);

    private static CommandReply Error(string text) => new(text, IsError: true);

    private static CommandReply Usage(string problem, string usage) => Error($"{problem}\nUsage:\n{usage}");

    private static CommandReply Refused(string what) =>
        Error($"Only an admin of this chat can {what}. Nothing was changed.");

    private static CommandReply NotSubscribed() =>
        Error("This chat is not subscribed yet: an admin can start with /subscribe.");

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Command /{Command} failed in {Channel}")]
    private static partial void LogCommandFailed(ILogger logger, string command, string channel, Exception exception);
}
