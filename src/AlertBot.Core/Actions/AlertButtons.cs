using System.Globalization;
using AlertBot.Core.Alerts;

namespace AlertBot.Core.Actions;

/// <summary>What a button on an alert does.</summary>
public enum AlertAction
{
    /// <summary>No more updates or follow-ups of this story in this channel.</summary>
    MuteStory,

    /// <summary>The matched term stops alerting here for a day.</summary>
    MuteTerm,

    /// <summary>Every hit: term, alias, field, sentence.</summary>
    Why,
}

/// <summary>One button as an adapter draws it: a label and the data the platform hands back when it is pressed.</summary>
public sealed record AlertButton(string Label, string Data);

/// <summary>A pressed button's data, decoded.</summary>
/// <param name="TermIndex">For <see cref="AlertAction.MuteTerm"/>: which of the alert's matched terms.</param>
public sealed record ButtonPress(AlertAction Action, long OutboxId, int TermIndex = 0);

/// <summary>
/// The buttons under an alert and their data. The data names only the alert's outbox row (and a term's index in it),
/// e.g. <c>ab1:t:1234:0</c>: everything else is read back from that row, so no state is kept that a restart loses,
/// and the row's channel is checked against the chat the button was pressed in, so a forged button can only do
/// what a real button of that chat could. Well within Telegram's 64-byte callback data and Discord's 100-character
/// custom id.
/// </summary>
public static class AlertButtons
{
    public const string Prefix = "ab1:";

    /// <summary>Telegram's limit on callback_data, the tighter of the two platforms.</summary>
    public const int MaxDataBytes = 64;

    /// <summary>The command a pressed button runs through the command processor (not listed in /help or menus).</summary>
    public const string CommandName = "button";

    /// <summary>At most this many Mute term buttons (one per matched term).</summary>
    public const int MaxTermButtons = 2;

    public static readonly TimeSpan TermMuteDuration = TimeSpan.FromHours(24);

    /// <summary>The buttons for an outbox entry; none for digests, updates, notices and escalations.</summary>
    public static IReadOnlyList<AlertButton> For(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Kind != OutboxKind.Alert || entry.RefersTo is not null || entry.Message.Matches.Count == 0)
        {
            return [];
        }

        var id = entry.Id.ToString(CultureInfo.InvariantCulture);
        var buttons = new List<AlertButton> { new("Why?", $"{Prefix}w:{id}"), new("Mute story", $"{Prefix}s:{id}") };
        var terms = DistinctTerms(entry.Message);
        for (var i = 0; i < Math.Min(terms.Count, MaxTermButtons); i++)
        {
            var label = terms.Count == 1 ? "Mute term 24 h" : $"Mute \"{Label(terms[i])}\" 24 h";
            buttons.Add(new AlertButton(label, $"{Prefix}t:{id}:{i.ToString(CultureInfo.InvariantCulture)}"));
        }

        return buttons;
    }

    /// <summary>The matched terms of an alert, in order, each once: what a term index counts.</summary>
    public static IReadOnlyList<string> DistinctTerms(Summaries.AlertMessage message) =>
        message.Matches.Select(m => m.Term).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Decodes button data; null for anything AlertBot did not write.</summary>
    public static ButtonPress? Parse(string? data)
    {
        if (data is null || data.Length > MaxDataBytes || !data.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = data[Prefix.Length..].Split(':');
        if (parts.Length is < 2 or > 3 || !TryId(parts[1], out var id))
        {
            return null;
        }

        return (parts[0], parts.Length) switch
        {
            ("w", 2) => new ButtonPress(AlertAction.Why, id),
            ("s", 2) => new ButtonPress(AlertAction.MuteStory, id),
            ("t", 3) when int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < MaxTermButtons
                => new ButtonPress(AlertAction.MuteTerm, id, index),
            _ => null,
        };
    }

    private static bool TryId(string text, out long id) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    private static string Label(string term) => term.Length <= 20 ? term : term[..19] + "…";
}
