using System.Globalization;
using System.Text;
using AlertBot.Core.Digests;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Core.Text;
using AlertBot.Core.Watchlists;
using static AlertBot.Core.Commands.Replies;

namespace AlertBot.Core.Commands;

// /digest and /actors: how alerts arrive, and whom the names match.

/// <param name="Mode">The mode to set, or null to show the current one.</param>
public sealed record DigestArgs(DigestMode? Mode = null) : CommandArgs;

public sealed class DigestCommand() : CommandDescriptor<DigestArgs, DigestHandler>(
    new("digest", "Alerts at once (off) or gathered into one message per hour or day", CommandAccess.Admin)
    {
        Summary = "Alerts at once, or one digest message per hour or day",
        Usage = "/digest · /digest off · /digest hourly · /digest daily",
        SlashGroup = "alerts",
        Options = [new("mode", "off, hourly or daily (empty: show the current mode)", Required: false, MaxLength: 10)],
    })
{
    public override CommandPermission? Requires(DigestArgs args) => args.Mode is null ? null : new("change how alerts arrive");

    public override CommandBinding Parse(ParsedCommand command) => command.Arguments.Count switch
    {
        0 => new DigestArgs(),
        1 => ModeFrom(command.Arguments[0].Text),
        _ => Replies.Usage("Give one of off, hourly or daily.", UsageLines),
    };

    public override CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values) =>
        OptionText(values, "mode") is { Length: > 0 } mode ? ModeFrom(mode) : new DigestArgs();

    private CommandBinding ModeFrom(string word) => word.ToLowerInvariant() switch
    {
        "off" or "immediate" or "none" => new DigestArgs(DigestMode.Off),
        "hourly" or "hour" => new DigestArgs(DigestMode.Hourly),
        "daily" or "day" => new DigestArgs(DigestMode.Daily),
        _ => Replies.Usage($"\"{Shorten(word)}\" is not a digest mode.", UsageLines),
    };
}

public sealed class DigestHandler(IChannelStore channels, IStoryStore stories) : ICommandHandler<DigestArgs>
{
    public async Task<CommandReply> HandleAsync(DigestArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        var channel = await channels.GetChannelAsync(context.Channel, cancellationToken);
        if (args.Mode is not { } chosen)
        {
            var mode = channel is null ? DigestMode.Off : (await stories.GetDigestModesAsync([channel.Id], cancellationToken)).GetValueOrDefault(channel.Id);
            return new CommandReply(Describe(mode) + "\nChange it with /digest off, /digest hourly or /digest daily.");
        }

        if (channel is null)
        {
            return NotSubscribed();
        }

        await stories.SetDigestModeAsync(channel.Id, chosen, cancellationToken);
        var held = chosen == DigestMode.Off ? " Matches already held for a digest still go out at the end of their period." : "";
        return new CommandReply(Describe(chosen) + held);
    }

    private static string Describe(DigestMode mode) => mode switch
    {
        DigestMode.Hourly => "Alerts here come as an hourly digest (one message at the end of each hour, UTC). Priority terms (/watch priority <term>) still alert at once.",
        DigestMode.Daily => "Alerts here come as a daily digest (one message a day). Priority terms (/watch priority <term>) still alert at once.",
        _ => "Alerts here are sent at once, one message per story.",
    };
}

public enum ActorsAction
{
    List,
    Show,
}

public sealed record ActorsArgs(ActorsAction Action, string Name = "") : CommandArgs;

public sealed class ActorsCommand() : CommandDescriptor<ActorsArgs, ActorsHandler>(
    new("actors", "The named actors and the aliases each one matches", CommandAccess.Anyone)
    {
        Summary = "Named actors and the aliases they match",
        Actions = [
            CommandAction.List("actors", "List the named actors"),
            new("show", "/actors show <name>", "Show one actor's aliases and notes", new CommandOption("name", "Name or alias", MaxLength: 200)),
        ],
    })
{
    public override CommandPermission? Requires(ActorsArgs args) => null;

    public override CommandBinding Parse(ParsedCommand command)
    {
        var word = command.Arguments.Count > 0 ? command.Arguments[0].Text : "";
        var rest = command.Rest(1);
        return (FindAction(word)?.Name, rest.Count) switch
        {
            ("list", 0) => new ActorsArgs(ActorsAction.List),
            ("list", _) => Replies.Usage("/actors list takes no arguments.", UsageLines),
            ("show", 0) => Replies.Usage("Say which actor.", "/actors show <name>"),
            ("show", _) => new ActorsArgs(ActorsAction.Show, string.Join(' ', rest.Select(a => a.Text)).Trim()),
            _ when word.Length == 0 => Replies.Usage("Say what to do.", UsageLines),
            _ => Replies.Usage($"Unknown /actors action \"{Shorten(word)}\".", UsageLines),
        };
    }

    public override CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values) => action switch
    {
        "list" => new ActorsArgs(ActorsAction.List),
        "show" => OptionText(values, "name") is { Length: > 0 } name ? new ActorsArgs(ActorsAction.Show, name) : Missing(this, "name"),
        _ => Replies.Usage("Say what to do.", UsageLines),
    };
}

public sealed class ActorsHandler(ActorDictionary actors) : ICommandHandler<ActorsArgs>
{
    public Task<CommandReply> HandleAsync(ActorsArgs args, CommandContext context, CancellationToken cancellationToken) =>
        Task.FromResult(args.Action == ActorsAction.List ? List() : Show(args.Name));

    private CommandReply List()
    {
        if (actors.Actors.Count == 0)
        {
            return new CommandReply("No actors are configured.");
        }

        var list = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Plural(actors.Actors.Count, "actor")} (/actors show <name> for details):");
        foreach (var actor in actors.Actors.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase))
        {
            list.Append("\n• ").Append(actor.Name);
            if (actor.Aliases.Count > 0)
            {
                list.Append(" — ").AppendJoin(", ", actor.Aliases.Take(4));
                if (actor.Aliases.Count > 4)
                {
                    list.Append(CultureInfo.InvariantCulture, $" and {actor.Aliases.Count - 4} more");
                }
            }
        }

        return new CommandReply(list.ToString());
    }

    private CommandReply Show(string name)
    {
        var found = actors.Resolve(name) ?? actors.Actors.FirstOrDefault(a =>
            a.AllNames.Any(n => string.Equals(Tokenizer.Key(n), Tokenizer.Key(name), StringComparison.Ordinal)));
        if (found is null)
        {
            return Error($"No actor is named \"{Shorten(name)}\". /actors list shows them all.");
        }

        var show = new StringBuilder(found.Name);
        show.Append("\nAliases: ").Append(found.Aliases.Count == 0 ? "none" : string.Join(", ", found.Aliases));
        if (found.FalseFriends.Count > 0)
        {
            show.Append("\nNot matched (false friends): ").AppendJoin(", ", found.FalseFriends);
        }

        if (!string.IsNullOrWhiteSpace(found.Notes))
        {
            show.Append("\nNotes: ").Append(found.Notes.Trim());
        }

        return new CommandReply(show.Append("\n/watch add ").Append(found.Name).Append(" watches every one of these names.").ToString());
    }
}
