using System.Globalization;
using System.Text;
using AlertBot.Core.Digests;
using AlertBot.Core.Text;

namespace AlertBot.Core.Commands;

// Digests, priority terms and the actor dictionary: the commands that came with stories across sources.
public sealed partial class CommandProcessor
{
    private const string DigestUsage = "/digest\n/digest off\n/digest hourly\n/digest daily";
    private const string ActorsUsage = "/actors list\n/actors show <name>";

    private async Task<CommandReply> DigestAsync(ParsedCommand command, CommandContext context, CancellationToken ct)
    {
        if (command.Arguments.Count > 1)
        {
            return Usage("Give one of off, hourly or daily.", DigestUsage);
        }

        if (command.Arguments.Count == 0)
        {
            if (_stories is null)
            {
                return Error("Digests are not available with this storage provider.");
            }

            var current = await _store.GetChannelAsync(context.Channel, ct);
            var mode = current is null ? DigestMode.Off : (await _stories.GetDigestModesAsync([current.Id], ct)).GetValueOrDefault(current.Id);
            return new CommandReply(Describe(mode) + "\nChange it with /digest off, /digest hourly or /digest daily.");
        }

        DigestMode? wanted = command.Arguments[0].Text.ToLowerInvariant() switch
        {
            "off" or "immediate" or "none" => DigestMode.Off,
            "hourly" or "hour" => DigestMode.Hourly,
            "daily" or "day" => DigestMode.Daily,
            _ => null,
        };
        if (wanted is not { } chosen)
        {
            return Usage($"\"{Shorten(command.Arguments[0].Text)}\" is not a digest mode.", DigestUsage);
        }

        // Permission first: a member learns nothing about the setup before being refused.
        var (channel, refused) = await ChannelToChangeAsync(context, "change how alerts arrive", ct);
        if (channel is null)
        {
            return refused!;
        }

        if (_stories is null)
        {
            return Error("Digests are not available with this storage provider.");
        }

        await _stories.SetDigestModeAsync(channel.Id, chosen, ct);
        var held = chosen == DigestMode.Off ? " Matches already held for a digest still go out at the end of their period." : "";
        return new CommandReply(Describe(chosen) + held);
    }

    private static string Describe(DigestMode mode) => mode switch
    {
        DigestMode.Hourly => "Alerts here come as an hourly digest (one message at the end of each hour, UTC). Priority terms (/watch priority <term>) still alert at once.",
        DigestMode.Daily => "Alerts here come as a daily digest (one message a day). Priority terms (/watch priority <term>) still alert at once.",
        _ => "Alerts here are sent at once, one message per story.",
    };

    private async Task<CommandReply> WatchPriorityAsync(IReadOnlyList<CommandArgument> args, CommandContext context, bool priority, CancellationToken ct)
    {
        var usage = priority ? "/watch priority <term>" : "/watch normal <term>";
        var (term, problem) = TermFrom(args, usage);
        if (problem is not null)
        {
            return problem;
        }

        var (channel, refused) = await ChannelToChangeAsync(context, "change the watchlist", ct);
        if (channel is null)
        {
            return refused!;
        }

        if (_stories is null)
        {
            return Error("Priority terms are not available with this storage provider.");
        }

        if (!await _stories.SetTermPriorityAsync(channel.Id, term!, priority, ct))
        {
            return Error($"\"{term}\" is not on the watchlist; add it first with /watch add {term}.");
        }

        return new CommandReply(priority
            ? $"\"{term}\" is a priority term: its matches alert at once, even when this chat takes digests."
            : $"\"{term}\" is a normal term again: in digest mode its matches wait for the digest.");
    }

    private CommandReply Actors(ParsedCommand command)
    {
        var sub = command.Arguments.Count > 0 ? command.Arguments[0].Text.ToLowerInvariant() : "";
        var rest = command.Rest(1);
        switch (sub)
        {
            case "list" or "ls" when rest.Count == 0:
                if (_actors.Actors.Count == 0)
                {
                    return new CommandReply("No actors are configured.");
                }

                var list = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Plural(_actors.Actors.Count, "actor")} (/actors show <name> for details):");
                foreach (var actor in _actors.Actors.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase))
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

            case "show" when rest.Count > 0:
                var name = string.Join(' ', rest.Select(a => a.Text)).Trim();
                var found = _actors.Resolve(name) ?? _actors.Actors.FirstOrDefault(a =>
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

            case "show":
                return Usage("Say which actor.", "/actors show <name>");
            case "list" or "ls":
                return Usage("/actors list takes no arguments.", ActorsUsage);
            case "":
                return Usage("Say what to do.", ActorsUsage);
            default:
                return Usage($"Unknown /actors action \"{Shorten(command.Arguments[0].Text)}\".", ActorsUsage);
        }
    }
}
