using System.Globalization;
using System.Text;
using AlertBot.Core.Actions;
using AlertBot.Core.Summaries;
using AlertBot.Core.Trends;

namespace AlertBot.Core.Commands;

/// <summary>The buttons under alerts (run as the unlisted <c>/button</c> command) and <c>/escalate</c>.</summary>
public sealed partial class CommandProcessor
{
    /// <summary>Room Telegram gives a callback answer; a Why? longer than this goes out as a reply message.</summary>
    public const int MaxButtonAnswerLength = 200;

    private const string EscalateUsage = "/escalate\n/escalate <outlets> <minutes>\n/escalate off\n/escalate role <role id | none>";

    private static CommandReply Stale() => new(
        "This button belongs to an alert I no longer have (or to another chat), so it does nothing now. Nothing was changed.");

    private async Task<CommandReply> ButtonAsync(ParsedCommand command, CommandContext context, CancellationToken ct)
    {
        if (_actions is null || AlertButtons.Parse(command.RawArguments) is not { } press)
        {
            return Stale();
        }

        // The row must belong to the chat the button was pressed in: a forged button naming another chat's alert,
        // or an alert pruned since, changes nothing.
        var channel = await _store.GetChannelAsync(context.Channel, ct);
        var alert = await _actions.GetAlertAsync(press.OutboxId, ct);
        if (channel is null || alert is null || alert.ChannelId != channel.Id)
        {
            return Stale();
        }

        switch (press.Action)
        {
            case AlertAction.Why:
                return new CommandReply(Why(alert.Message));

            case AlertAction.MuteStory:
                if (!await MayChangeAsync(context, ct))
                {
                    return Refused("mute a story");
                }

                var muted = await _actions.MuteStoryAsync(channel.Id, alert.OutboxId, _time.GetUtcNow(), ct);
                return new CommandReply(muted
                    ? $"Story muted: no more updates of \"{Shorten(alert.Message.Title)}\" here."
                    : $"\"{Shorten(alert.Message.Title)}\" was already muted here.");

            case AlertAction.MuteTerm:
                var terms = AlertButtons.DistinctTerms(alert.Message);
                if (press.TermIndex >= terms.Count)
                {
                    return Stale();
                }

                if (!await MayChangeAsync(context, ct))
                {
                    return Refused("mute a term");
                }

                var term = terms[press.TermIndex];
                var watched = await _store.ListWatchTermsAsync(channel.Id, ct);
                if (!watched.Any(t => string.Equals(t.Text.Trim(), term.Trim(), StringComparison.OrdinalIgnoreCase)))
                {
                    return new CommandReply($"\"{Shorten(term)}\" is no longer on the watchlist, so there is nothing to mute.");
                }

                var until = _time.GetUtcNow() + AlertButtons.TermMuteDuration;
                await _actions.MuteTermAsync(channel.Id, term.Trim(), until, ct);
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

    private async Task<CommandReply> EscalateAsync(ParsedCommand command, CommandContext context, CancellationToken ct)
    {
        var args = command.Arguments.Select(a => a.Text).ToList();
        if (args.Count == 0 && _actions is not null)
        {
            var channel = await _store.GetChannelAsync(context.Channel, ct);
            var current = channel is null ? EscalationSettings.Default
                : (await _actions.GetEscalationAsync([channel.Id], ct)).GetValueOrDefault(channel.Id) ?? EscalationSettings.Default;
            return new CommandReply(Describe(current));
        }

        Func<EscalationSettings, EscalationSettings>? change = null;
        if (args is [var off] && off.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            change = s => s with { Enabled = false };
        }
        else if (args is [var role, var roleId] && role.Equals("role", StringComparison.OrdinalIgnoreCase))
        {
            if (roleId.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                change = s => s with { RoleId = null };
            }
            else if (ulong.TryParse(roleId.Trim('<', '>', '@', '&'), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                change = s => s with { RoleId = id.ToString(CultureInfo.InvariantCulture) };
            }
            else
            {
                return Usage("A role is its numeric id (or a role mention), or none.", EscalateUsage);
            }
        }
        else if (args is [var n, var m])
        {
            if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var outlets) || outlets is < 2 or > 100)
            {
                return Usage("The number of outlets must be a whole number from 2 to 100.", EscalateUsage);
            }

            if (!int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) || minutes is < 1 or > 1440)
            {
                return Usage("The minutes must be a whole number from 1 to 1440.", EscalateUsage);
            }

            change = s => s with { Enabled = true, Outlets = outlets, Window = TimeSpan.FromMinutes(minutes) };
        }

        if (change is null && args.Count == 0)
        {
            return Error("Escalation needs a storage provider that keeps it; this one does not.");
        }

        if (change is null)
        {
            return Usage("I did not understand that.", EscalateUsage);
        }

        var (target, refused) = await ChannelToChangeAsync(context, "change escalation", ct);
        if (target is null)
        {
            return refused!;
        }

        if (_actions is null)
        {
            return Error("Escalation needs a storage provider that keeps it; this one does not. Nothing was changed.");
        }

        var settings = change((await _actions.GetEscalationAsync([target.Id], ct)).GetValueOrDefault(target.Id) ?? EscalationSettings.Default);
        await _actions.SetEscalationAsync(target.Id, settings, ct);
        return new CommandReply(Describe(settings));
    }

    private const string TrendUsage = "/trend [term] [24h | 7d | 30d]";
    private const int TopStories = 5;

    private async Task<CommandReply> TrendAsync(ParsedCommand command, CommandContext context, CancellationToken ct)
    {
        var args = command.Arguments.ToList();
        var period = TrendPeriod.Default;
        if (args.Count > 0 && !args[^1].Quoted && TrendPeriod.Find(args[^1].Text) is { } named)
        {
            period = named;
            args.RemoveAt(args.Count - 1);
        }

        if (args.Count > 1 && args.Any(a => a.Quoted))
        {
            return Usage("One term at a time: put a phrase in quotes.", TrendUsage);
        }

        var wanted = args.Count == 0 ? null : string.Join(' ', args.Select(a => a.Text));
        var channel = await _store.GetChannelAsync(context.Channel, ct);
        var terms = channel is null ? [] : (await _store.ListWatchTermsAsync(channel.Id, ct)).Select(t => t.Text).ToList();
        if (channel is null || terms.Count == 0)
        {
            return new CommandReply("There is nothing to chart: this chat's watchlist is empty. Add a term with /watch add <term>.");
        }

        if (wanted is not null)
        {
            var term = terms.FirstOrDefault(t => string.Equals(t.Trim(), wanted.Trim(), StringComparison.OrdinalIgnoreCase));
            if (term is null)
            {
                return Error($"\"{Shorten(wanted)}\" is not on the watchlist; /watch list shows the terms.");
            }

            terms = [term];
        }

        if (_actions is null)
        {
            return Error("Trends need a storage provider that keeps term counts; this one does not.");
        }

        var now = _time.GetUtcNow();
        var since = period.Start(now);
        var series = TrendChart.Bucket(await _actions.ListTermCountsAsync(channel.Id, since, ct), terms, period, now);
        var png = TrendChart.Render(series, period, now);

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Trend, last {period.Name}: ");
        text.AppendJoin(", ", series.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Term} {s.Counts.Sum()}")));
        text.Append(" matched items.");
        if (_stories is not null)
        {
            var top = (await _stories.ListStoryAlertsAsync([channel.Id], since, ct))
                .Where(a => wanted is null || a.Message.Matches.Any(m => string.Equals(m.Term.Trim(), terms[0].Trim(), StringComparison.OrdinalIgnoreCase)))
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
        }

        return new CommandReply(text.ToString()) { Image = new CommandImage($"trend-{period.Name}.png", png) };
    }

    private static string Describe(EscalationSettings settings) =>
        !settings.Enabled
            ? "Escalation is off here: /escalate <outlets> <minutes> turns it on."
            : string.Create(CultureInfo.InvariantCulture,
                $"A story escalates here when {settings.Outlets} outlets carry it within {(int)settings.Window.TotalMinutes} minutes: one \"Breaking\" reply to its alert, once per story.") +
              (settings.RoleId is { } role ? $" The Discord role {role} is mentioned." : "");
}
