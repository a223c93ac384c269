using System.Globalization;
using System.Text;
using AlertBot.Core.Actions;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;
using AlertBot.Core.Trends;
using static AlertBot.Core.Commands.Replies;

namespace AlertBot.Core.Commands;

// /escalate, /trend and the buttons under alerts: the commands that act on what was already alerted.

/// <param name="Change">How to change the settings, or null to show them.</param>
public sealed record EscalateArgs(EscalateChange? Change = null) : CommandArgs;

/// <summary>One change to a channel's escalation settings.</summary>
public abstract record EscalateChange
{
    public abstract EscalationSettings ApplyTo(EscalationSettings settings);

    public sealed record Off : EscalateChange
    {
        public override EscalationSettings ApplyTo(EscalationSettings settings) => settings with { Enabled = false };
    }

    public sealed record Window(int Outlets, int Minutes) : EscalateChange
    {
        public override EscalationSettings ApplyTo(EscalationSettings settings) =>
            settings with { Enabled = true, Outlets = Outlets, Window = TimeSpan.FromMinutes(Minutes) };
    }

    /// <param name="RoleId">The Discord role to mention, or null for none.</param>
    public sealed record Role(string? RoleId) : EscalateChange
    {
        public override EscalationSettings ApplyTo(EscalationSettings settings) => settings with { RoleId = RoleId };
    }
}

public sealed class EscalateCommand() : CommandDescriptor<EscalateArgs, EscalateHandler>(
    new("escalate", "When a story breaks (many outlets fast), post one \"Breaking\" reply to its alert", CommandAccess.Admin)
    {
        Summary = "One \"Breaking\" reply when a story gathers many outlets fast",
        Usage = "/escalate · /escalate <outlets> <minutes> · /escalate off · /escalate role <role id | none>",
        Options = [new("setting", "'5 30' (outlets, minutes), 'off', or 'role <role id|none>'; empty shows it", Required: false, MaxLength: 60)],
    })
{
    public override CommandPermission? Requires(EscalateArgs args) => args.Change is null ? null : new("change escalation");

    public override CommandBinding Parse(ParsedCommand command) => FromWords([.. command.Arguments.Select(a => a.Text)]);

    // The setting is a few words by design (Discord has one option for the three forms): read like the typed ones.
    public override CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values) =>
        FromWords(OptionText(values, "setting")?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) ?? []);

    private CommandBinding FromWords(IReadOnlyList<string> args)
    {
        switch (args)
        {
            case []:
                return new EscalateArgs();
            case [var off] when off.Equals("off", StringComparison.OrdinalIgnoreCase):
                return new EscalateArgs(new EscalateChange.Off());
            case [var role, var roleId] when role.Equals("role", StringComparison.OrdinalIgnoreCase):
                if (roleId.Equals("none", StringComparison.OrdinalIgnoreCase))
                {
                    return new EscalateArgs(new EscalateChange.Role(null));
                }

                return ulong.TryParse(roleId.Trim('<', '>', '@', '&'), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                    ? new EscalateArgs(new EscalateChange.Role(id.ToString(CultureInfo.InvariantCulture)))
                    : Replies.Usage("A role is its numeric id (or a role mention), or none.", UsageLines);
            case [var n, var m]:
                if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var outlets) || outlets is < 2 or > 100)
                {
                    return Replies.Usage("The number of outlets must be a whole number from 2 to 100.", UsageLines);
                }

                return int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes is >= 1 and <= 1440
                    ? new EscalateArgs(new EscalateChange.Window(outlets, minutes))
                    : Replies.Usage("The minutes must be a whole number from 1 to 1440.", UsageLines);
            default:
                return Replies.Usage("I did not understand that.", UsageLines);
        }
    }
}

public sealed class EscalateHandler(IChannelStore channels, IAlertActionStore actions) : ICommandHandler<EscalateArgs>
{
    public async Task<CommandReply> HandleAsync(EscalateArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        var channel = await channels.GetChannelAsync(context.Channel, cancellationToken);
        var current = channel is null ? EscalationSettings.Default
            : (await actions.GetEscalationAsync([channel.Id], cancellationToken)).GetValueOrDefault(channel.Id) ?? EscalationSettings.Default;
        if (args.Change is null)
        {
            return new CommandReply(Describe(current));
        }

        if (channel is null)
        {
            return NotSubscribed();
        }

        var settings = args.Change.ApplyTo(current);
        await actions.SetEscalationAsync(channel.Id, settings, cancellationToken);
        return new CommandReply(Describe(settings));
    }

    private static string Describe(EscalationSettings settings) =>
        !settings.Enabled
            ? "Escalation is off here: /escalate <outlets> <minutes> turns it on."
            : string.Create(CultureInfo.InvariantCulture,
                $"A story escalates here when {settings.Outlets} outlets carry it within {(int)settings.Window.TotalMinutes} minutes: one \"Breaking\" reply to its alert, once per story.") +
              (settings.RoleId is { } role ? $" The Discord role {role} is mentioned." : "");
}

/// <param name="Term">One term of the watchlist, or null for all of them.</param>
public sealed record TrendArgs(string? Term, TrendPeriod Period) : CommandArgs;

public sealed class TrendCommand() : CommandDescriptor<TrendArgs, TrendHandler>(
    new("trend", "A chart of how many items matched each term per day (per hour for 24h), with the top stories", CommandAccess.Anyone)
    {
        Summary = "A chart of matched items per term, with the top stories",
        Usage = "/trend [term] [24h | 7d | 30d]",
        Options = [
            new("term", "One term of the watchlist (empty: all)", Required: false, MaxLength: 200),
            new("period", "24h, 7d (default) or 30d", Required: false, Choices: [.. TrendPeriod.All.Select(p => p.Name)]),
        ],
    })
{
    public override CommandPermission? Requires(TrendArgs args) => null;

    public override CommandBinding Parse(ParsedCommand command)
    {
        var args = command.Arguments.ToList();
        var period = TrendPeriod.Default;
        if (args.Count > 0 && !args[^1].Quoted && TrendPeriod.Find(args[^1].Text) is { } named)
        {
            period = named;
            args.RemoveAt(args.Count - 1);
        }

        return TermFrom(args, period);
    }

    public override CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values)
    {
        var period = OptionText(values, "period") is { Length: > 0 } name ? TrendPeriod.Find(name) : TrendPeriod.Default;
        if (period is null)
        {
            return Replies.Usage("The period is one of 24h, 7d or 30d.", Usage);
        }

        // The term option is one term: quotes in it still mark a phrase, as in a chat.
        var term = OptionText(values, "term") ?? "";
        var (split, error) = CommandParser.ParseArguments(term);
        return error is null ? TermFrom(split, period) : TermFrom([new CommandArgument(term, Quoted: true)], period);
    }

    private CommandBinding TermFrom(IReadOnlyList<CommandArgument> args, TrendPeriod period) =>
        args.Count > 1 && args.Any(a => a.Quoted)
            ? Replies.Usage("One term at a time: put a phrase in quotes.", Usage)
            : new TrendArgs(args.Count == 0 ? null : string.Join(' ', args.Select(a => a.Text)), period);
}

public sealed class TrendHandler(
    IChannelStore channels,
    IWatchlistStore watchlists,
    IAlertActionStore actions,
    IStoryStore stories,
    TimeProvider time) : ICommandHandler<TrendArgs>
{
    private const int TopStories = 5;

    public async Task<CommandReply> HandleAsync(TrendArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        var channel = await channels.GetChannelAsync(context.Channel, cancellationToken);
        var terms = channel is null ? [] : (await watchlists.ListWatchTermsAsync(channel.Id, cancellationToken)).Select(t => t.Text).ToList();
        if (channel is null || terms.Count == 0)
        {
            return new CommandReply("There is nothing to chart: this chat's watchlist is empty. Add a term with /watch add <term>.");
        }

        if (args.Term is { } wanted)
        {
            var term = terms.FirstOrDefault(t => string.Equals(t.Trim(), wanted.Trim(), StringComparison.OrdinalIgnoreCase));
            if (term is null)
            {
                return Error($"\"{Shorten(wanted)}\" is not on the watchlist; /watch list shows the terms.");
            }

            terms = [term];
        }

        var now = time.GetUtcNow();
        var since = args.Period.Start(now);
        var series = TrendChart.Bucket(await actions.ListTermCountsAsync(channel.Id, since, cancellationToken), terms, args.Period, now);
        var png = TrendChart.Render(series, args.Period, now);

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Trend, last {args.Period.Name}: ");
        text.AppendJoin(", ", series.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Term} {s.Counts.Sum()}")));
        text.Append(" matched items.");
        var top = (await stories.ListStoryAlertsAsync([channel.Id], since, cancellationToken))
            .Where(a => args.Term is null || a.Message.Matches.Any(m => string.Equals(m.Term.Trim(), terms[0].Trim(), StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(a => 1 + a.Message.AlsoSources.Count)
            .ThenByDescending(a => a.CreatedAt)
            .Take(TopStories)
            .ToList();
        text.Append(top.Count == 0 ? "\nNo stories alerted here in that time." : "\nTop stories:");
        for (var i = 0; i < top.Count; i++)
        {
            var outlets = 1 + top[i].Message.AlsoSources.Count;
            text.Append(CultureInfo.InvariantCulture, $"\n{i + 1}. {Shown(top[i].Message.Title)} ({Plural(outlets, "outlet")}, {Stamp(top[i].CreatedAt)})");
        }

        return new CommandReply(text.ToString()) { Image = new CommandImage($"trend-{args.Period.Name}.png", png) };
    }
}

/// <param name="Data">The button's data, as the platform gives it back (<see cref="AlertButtons.Parse"/>).</param>
public sealed record ButtonArgs(string Data) : CommandArgs;

/// <summary>The buttons under alerts, run as the unlisted <c>/button</c> command.</summary>
public sealed class ButtonCommand() : CommandDescriptor<ButtonArgs, ButtonHandler>(
    new(AlertButtons.CommandName, "A button under an alert", CommandAccess.Anyone)
    {
        Usage = "/button <data>",
        Listed = false,
    })
{
    // Why? is for anyone; the mutes ask for the right themselves, once the button is known to be this chat's.
    public override CommandPermission? Requires(ButtonArgs args) => null;

    public override CommandBinding Parse(ParsedCommand command) => new ButtonArgs(command.RawArguments);

    public override CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values) =>
        new ButtonArgs(OptionText(values, "data") ?? "");
}

public sealed class ButtonHandler(
    IChannelStore channels,
    IWatchlistStore watchlists,
    IAlertActionStore actions,
    TimeProvider time) : ICommandHandler<ButtonArgs>
{
    /// <summary>Room Telegram gives a callback answer; a Why? longer than this goes out as a reply message.</summary>
    public const int MaxAnswerLength = 200;

    private static CommandReply Stale() => new(
        "This button belongs to an alert I no longer have (or to another chat), so it does nothing now. Nothing was changed.");

    public async Task<CommandReply> HandleAsync(ButtonArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        if (AlertButtons.Parse(args.Data) is not { } press)
        {
            return Stale();
        }

        // The row must belong to the chat the button was pressed in: a forged button naming another chat's alert,
        // or an alert pruned since, changes nothing.
        var channel = await channels.GetChannelAsync(context.Channel, cancellationToken);
        var alert = await actions.GetAlertAsync(press.OutboxId, cancellationToken);
        if (channel is null || alert is null || alert.ChannelId != channel.Id)
        {
            return Stale();
        }

        switch (press.Action)
        {
            case AlertAction.Why:
                return new CommandReply(Why(alert.Message));

            case AlertAction.MuteStory:
                if (!await context.MayChangeSettingsAsync(cancellationToken))
                {
                    return Refused("mute a story");
                }

                var muted = await actions.MuteStoryAsync(channel.Id, alert.OutboxId, time.GetUtcNow(), cancellationToken);
                return new CommandReply(muted
                    ? $"Story muted: no more updates of \"{Shorten(alert.Message.Title)}\" here."
                    : $"\"{Shorten(alert.Message.Title)}\" was already muted here.");

            case AlertAction.MuteTerm:
                var terms = AlertButtons.DistinctTerms(alert.Message);
                if (press.TermIndex >= terms.Count)
                {
                    return Stale();
                }

                if (!await context.MayChangeSettingsAsync(cancellationToken))
                {
                    return Refused("mute a term");
                }

                var term = terms[press.TermIndex];
                var watched = await watchlists.ListWatchTermsAsync(channel.Id, cancellationToken);
                if (!watched.Any(t => string.Equals(t.Text.Trim(), term.Trim(), StringComparison.OrdinalIgnoreCase)))
                {
                    return new CommandReply($"\"{Shorten(term)}\" is no longer on the watchlist, so there is nothing to mute.");
                }

                var until = time.GetUtcNow() + AlertButtons.TermMuteDuration;
                await actions.MuteTermAsync(channel.Id, term.Trim(), until, cancellationToken);
                return new CommandReply($"\"{Shorten(term)}\" is muted until {Stamp(until)}; /watch list shows it.");

            default:
                return Stale();
        }
    }

    /// <summary>Every hit of the alert: term, alias, field and sentence, one line each.</summary>
    internal static string Why(AlertMessage message)
    {
        if (message.Matches.Count == 0)
        {
            return "This message did not come from a watch term.";
        }

        var text = new StringBuilder("Why: ");
        var first = true;
        foreach (var hit in message.Matches)
        {
            text.Append(first ? "" : "\n");
            first = false;
            var alias = string.Equals(hit.Alias, hit.Term, StringComparison.OrdinalIgnoreCase) ? "" : $" as \"{hit.Alias}\"";
            var field = hit.Field == Matching.MatchField.Title ? "title" : "text";
            text.Append(CultureInfo.InvariantCulture, $"{hit.Term}{alias} in the {field}: \"{Excerpt(hit.Sentence, hit.MatchedText ?? hit.Alias)}\"");
        }

        return text.ToString();
    }
}
