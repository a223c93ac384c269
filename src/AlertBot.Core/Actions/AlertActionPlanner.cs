using System.Globalization;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;

namespace AlertBot.Core.Actions;

/// <summary>A channel's term mutes in force during one poll, by channel.</summary>
public sealed class TermMutes
{
    public static readonly TermMutes None = new([]);

    private readonly Dictionary<long, HashSet<string>> _byChannel;

    public TermMutes(IEnumerable<TermMute> mutes)
    {
        _byChannel = [];
        foreach (var mute in mutes)
        {
            if (!_byChannel.TryGetValue(mute.ChannelId, out var set))
            {
                _byChannel[mute.ChannelId] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            }

            set.Add(mute.Term.Trim());
        }
    }

    /// <summary>The hits whose term the channel has not muted.</summary>
    public IReadOnlyList<TermHit> Keep(long channelId, IReadOnlyList<TermHit> hits) =>
        _byChannel.TryGetValue(channelId, out var muted) ? hits.Where(h => !muted.Contains(h.Term.Trim())).ToList() : hits;
}

/// <summary>
/// What the buttons and burst escalation change in a poll: hits of muted terms are dropped before summarising, updates
/// of muted stories are dropped from the plan, a story that reached its channel's outlet count within the window gets
/// one escalation row (its item key makes it once per story per channel, enforced by the outbox's unique key), and
/// the matched terms are counted per hour for /trend. Without an <see cref="IAlertActionStore"/> nothing changes.
/// </summary>
public sealed class AlertActionPlanner(IAlertActionStore? store = null)
{
    /// <summary>The item key prefix of escalation rows: <c>escalation:&lt;alert outbox id&gt;</c>.</summary>
    public const string EscalationKeyPrefix = "escalation:";

    public async Task<TermMutes> TermMutesAsync(IReadOnlyCollection<long> channelIds, DateTimeOffset now, CancellationToken cancellationToken) =>
        store is null || channelIds.Count == 0 ? TermMutes.None : new TermMutes(await store.ListTermMutesAsync(channelIds, now, cancellationToken));

    /// <summary>One count per (channel, term) for each item that matched it, in the hour of <paramref name="now"/>.</summary>
    public static IReadOnlyList<TermHourCount> CountTerms(IEnumerable<(long ChannelId, IReadOnlyList<TermHit> Hits)> matches, DateTimeOffset now)
    {
        var hour = HourOf(now);
        return matches
            .SelectMany(m => m.Hits.Select(h => h.Term.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Select(t => (m.ChannelId, Term: t)))
            .GroupBy(x => (x.ChannelId, Key: x.Term.ToLowerInvariant()))
            .Select(g => new TermHourCount(g.Key.ChannelId, g.First().Term, hour, g.Count()))
            .ToList();
    }

    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The plan without updates of muted stories, and with the escalations the remaining updates trigger.</summary>
    public async Task<StoryPlan> ApplyAsync(StoryPlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (store is null || plan.Updates.Count == 0)
        {
            return plan;
        }

        var muted = await store.FindMutedStoriesAsync(plan.Updates.Select(u => u.OriginalOutboxId).Distinct().ToList(), cancellationToken);
        var updates = plan.Updates.Where(u => !muted.Contains(u.OriginalOutboxId)).ToList();
        var settings = await store.GetEscalationAsync(updates.Select(u => u.ChannelId).Distinct().ToList(), cancellationToken);
        var alerts = plan.Alerts.ToList();

        // The newest update of a story carries every outlet so far: one check per story.
        foreach (var update in updates.GroupBy(u => u.OriginalOutboxId).Select(g => g.Last()))
        {
            var rule = settings.GetValueOrDefault(update.ChannelId) ?? EscalationSettings.Default;
            var outlets = Outlets(update.Message);
            if (!rule.Enabled || outlets.Count < rule.Outlets)
            {
                continue;
            }

            var original = await store.GetAlertAsync(update.OriginalOutboxId, cancellationToken);
            // Only a posted alert can be answered; one still queued goes out with every outlet listed anyway, and the
            // next outlet after it is posted escalates if the story is still inside the window.
            if (original is null || original.Held || original.PlatformMessageId is null || now - original.CreatedAt > rule.Window)
            {
                continue;
            }

            alerts.Add(new NewAlert(update.ChannelId, EscalationKeyPrefix + update.OriginalOutboxId.ToString(CultureInfo.InvariantCulture),
                Escalation(update.Message, outlets, now - original.CreatedAt, rule.RoleId))
            {
                RefersTo = update.OriginalOutboxId,
            });
        }

        return plan with { Alerts = alerts, Updates = updates };
    }

    /// <summary>"Breaking: 5 outlets in 12 minutes", the story's title and link, and the outlets.</summary>
    public static AlertMessage Escalation(AlertMessage story, IReadOnlyList<string> outlets, TimeSpan elapsed, string? roleId)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(elapsed.TotalMinutes));
        return new AlertMessage
        {
            Title = string.Create(CultureInfo.InvariantCulture, $"Breaking: {outlets.Count} outlets in {minutes} minute{(minutes == 1 ? "" : "s")}"),
            Link = story.Link,
            Source = Pipeline.PollService.NoticeSource,
            Sentences = [story.Title, "Outlets: " + string.Join(", ", outlets.Take(StoryMessages.MaxNamedSources))],
            EscalationRoleId = roleId,
        };
    }

    private static List<string> Outlets(AlertMessage message) =>
        new[] { message.Source }.Concat(message.AlsoSources.Select(s => s.Name)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}
