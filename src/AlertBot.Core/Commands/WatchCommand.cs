using System.Globalization;
using System.Text;
using AlertBot.Core.Actions;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Core.Watchlists;
using Microsoft.Extensions.Options;
using static AlertBot.Core.Commands.Replies;

namespace AlertBot.Core.Commands;

public enum WatchAction
{
    Add,
    Remove,
    List,
    Priority,
    Normal,
}

/// <param name="Term">The term as the user wrote it (quotes included: a quoted phrase is one term; a query keeps its operators).</param>
public sealed record WatchArgs(WatchAction Action, string Term = "") : CommandArgs;

public sealed class WatchCommand() : CommandDescriptor<WatchArgs, WatchHandler>(
    new("watch", "Edit or show the watchlist; priority terms alert at once even in digest mode", CommandAccess.Admin)
    {
        Summary = "This channel's watchlist",
        Actions = [
            new("add", "/watch add <term | \"phrase\">", "Watch a keyword or named actor", Term("Keyword, name or query")),
            CommandAction.Remove("watch", Term("The term as listed"), "Stop watching a term"),
            CommandAction.List("watch", "List watched terms"),
            new("priority", "/watch priority <term>", "Make a term alert at once, even in digest mode", Term("The term as listed")),
            new("normal", "/watch normal <term>", "Make a priority term normal again", Term("The term as listed")),
        ],
    })
{
    private static CommandOption Term(string description) => new("term", description, MaxLength: 200);

    public override CommandPermission? Requires(WatchArgs args) =>
        args.Action == WatchAction.List ? null : new("change the watchlist");

    public override CommandBinding Parse(ParsedCommand command)
    {
        var first = command.Arguments.Count > 0 && !command.Arguments[0].Quoted ? command.Arguments[0].Text : "";
        if (first.Length == 0)
        {
            return command.Arguments.Count == 0
                ? Replies.Usage("Say what to do with the watchlist.", UsageLines)
                : Replies.Usage($"Unknown /watch action \"{Shorten(command.Arguments[0].Text)}\".", UsageLines);
        }

        if (FindAction(first) is not { } action)
        {
            return Replies.Usage($"Unknown /watch action \"{Shorten(first)}\".", UsageLines);
        }

        var kind = Enum.Parse<WatchAction>(action.Name, ignoreCase: true);
        if (kind == WatchAction.List && command.Arguments.Count > 1)
        {
            return Replies.Usage("/watch list takes no arguments.", UsageLines);
        }

        return new WatchArgs(kind, AfterFirstWord(command.RawArguments));
    }

    public override CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values)
    {
        if (action is null || FindAction(action) is not { } found)
        {
            return Replies.Usage("Say what to do with the watchlist.", UsageLines);
        }

        var kind = Enum.Parse<WatchAction>(found.Name, ignoreCase: true);
        if (kind == WatchAction.List)
        {
            return new WatchArgs(kind);
        }

        // The option's value is the term exactly as typed: quotes in it mean what they mean in a chat.
        return OptionText(values, "term") is { Length: > 0 } term ? new WatchArgs(kind, term) : Missing(this, "term");
    }

    private static string AfterFirstWord(string raw)
    {
        var trimmed = raw.TrimStart();
        var space = trimmed.IndexOfAny([' ', '\t', '\n']);
        return space < 0 ? "" : trimmed[(space + 1)..].Trim();
    }
}

public sealed class WatchHandler(
    IChannelStore channels,
    IWatchlistStore watchlists,
    IStoryStore stories,
    IAlertActionStore actions,
    ActorDictionary actors,
    IOptions<CommandOptions> options,
    TimeProvider time) : ICommandHandler<WatchArgs>
{
    private const string AddUsage = "/watch add <term | \"phrase\" | query>";

    private const string QueryHelp =
        "Queries: Houthis AND \"Red Sea\" · Qaani OR Ghaani · Iran -Israel · title:Houthis · Houthis NEAR/10 \"Red Sea\" · @houthis · /regex/i";

    private readonly CommandOptions _options = options.Value;

    public ValueTask<CommandReply?> ValidateAsync(WatchArgs args, CommandContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(args.Action == WatchAction.List ? null : TermOf(args).Problem);

    public async Task<CommandReply> HandleAsync(WatchArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        if (args.Action == WatchAction.List)
        {
            return await ListAsync(context, cancellationToken);
        }

        var term = TermOf(args).Term!;
        var channel = await channels.GetChannelAsync(context.Channel, cancellationToken);
        if (channel is null)
        {
            return NotSubscribed();
        }

        return args.Action switch
        {
            WatchAction.Add => await AddAsync(channel.Id, term, cancellationToken),
            WatchAction.Remove => await watchlists.RemoveWatchTermAsync(channel.Id, term, cancellationToken)
                ? new CommandReply($"Stopped watching \"{term}\".")
                : Error($"\"{term}\" is not on the watchlist; /watch list shows what is."),
            _ => await SetPriorityAsync(channel.Id, term, args.Action == WatchAction.Priority, cancellationToken),
        };
    }

    /// <summary>The term to store, or the usage error that says why there is none.</summary>
    private (string? Term, CommandReply? Problem) TermOf(WatchArgs args)
    {
        var usage = args.Action switch
        {
            WatchAction.Add => AddUsage,
            WatchAction.Remove => "/watch remove <term>",
            WatchAction.Priority => "/watch priority <term>",
            _ => "/watch normal <term>",
        };
        var raw = args.Term.Trim();
        if (args.Action == WatchAction.Add && WatchQuery.TryParse(raw, actors, out var query, out _) && !query.IsPlain)
        {
            // A query (operators, field prefixes, NEAR, @actor, /regex/) is kept as typed.
            return TermFrom([new CommandArgument(raw, Quoted: false)], usage);
        }

        // Typed text was split once already, so this only fails for a term that came as a typed value (a Discord
        // option): a quote that does not start a phrase there is part of the term, as the user wrote it.
        var (split, error) = CommandParser.ParseArguments(raw);
        var (term, problem) = TermFrom(error is null ? split : [new CommandArgument(raw, Quoted: false)], usage);
        if (problem is null && args.Action == WatchAction.Add && !WatchQuery.TryParse(term!, actors, out _, out var queryError))
        {
            return (null, Usage($"That term is not a valid query: {queryError}.", AddUsage + "\n" + QueryHelp));
        }

        return (term, problem);
    }

    /// <summary>One term from the arguments: a quoted phrase, or the unquoted words joined by single spaces.</summary>
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

    private async Task<CommandReply> AddAsync(long channelId, string term, CancellationToken ct)
    {
        var terms = await watchlists.ListWatchTermsAsync(channelId, ct);
        if (terms.Any(t => string.Equals(t.Text, term, StringComparison.OrdinalIgnoreCase)))
        {
            return new CommandReply($"\"{term}\" is already on the watchlist.");
        }

        var actor = ActorNamedBy(term);
        if (actor is not null && terms.FirstOrDefault(t => ActorNamedBy(t.Text)?.Name == actor.Name) is { } covering)
        {
            return new CommandReply($"\"{term}\" is already covered: \"{covering.Text}\" on the watchlist matches every name of {actor.Name} ({string.Join(", ", actor.Aliases)}).");
        }

        if (terms.Count >= _options.MaxTermsPerChannel)
        {
            return Error($"The watchlist is full ({terms.Count} of {_options.MaxTermsPerChannel} terms): remove one with /watch remove <term> first.");
        }

        if (!await watchlists.AddWatchTermAsync(channelId, term, time.GetUtcNow(), ct))
        {
            return new CommandReply($"\"{term}\" is already on the watchlist.");
        }

        var covers = actor is null ? "" : $" It names {actor.Name}, so it also matches: {string.Join(", ", actor.Aliases)}.";
        return new CommandReply($"Watching \"{term}\".{covers}");
    }

    private async Task<CommandReply> SetPriorityAsync(long channelId, string term, bool priority, CancellationToken ct)
    {
        if (!await stories.SetTermPriorityAsync(channelId, term, priority, ct))
        {
            return Error($"\"{term}\" is not on the watchlist; add it first with /watch add {term}.");
        }

        return new CommandReply(priority
            ? $"\"{term}\" is a priority term: its matches alert at once, even when this chat takes digests."
            : $"\"{term}\" is a normal term again: in digest mode its matches wait for the digest.");
    }

    private async Task<CommandReply> ListAsync(CommandContext context, CancellationToken ct)
    {
        var channel = await channels.GetChannelAsync(context.Channel, ct);
        var terms = channel is null ? [] : await watchlists.ListWatchTermsAsync(channel.Id, ct);
        if (channel is null || terms.Count == 0)
        {
            return new CommandReply("The watchlist is empty. Add a term with /watch add <term | \"phrase\">.");
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Watching {Plural(terms.Count, "term")} (of {_options.MaxTermsPerChannel}):");
        var priority = (await stories.ListPriorityTermsAsync([channel.Id], ct))
            .Select(p => p.Text).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var mutes = (await actions.ListTermMutesAsync([channel.Id], time.GetUtcNow(), ct))
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
        WatchQuery.TryParse(term, actors, out var query, out _) ? query.NamedActor : null;

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
}
