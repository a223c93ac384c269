using AlertBot.Core.Digests;
using AlertBot.Core.Items;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Summaries;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Stories;

/// <summary>A match for one channel, before it is known whether it is a new story there.</summary>
public sealed record StoryCandidate(long ChannelId, string ItemKey, NewsItem Item, IReadOnlyList<TermHit> Hits, AlertMessage Message);

/// <summary>What a poll writes: new alerts (some held for a digest), and later copies joining alerts already queued or sent.</summary>
/// <param name="Joined">Candidates that joined an existing story instead of alerting (including copies naming an outlet already listed).</param>
public sealed record StoryPlan(IReadOnlyList<NewAlert> Alerts, IReadOnlyList<StoryUpdate> Updates, int Joined);

/// <summary>
/// One alert per story per channel: a candidate whose story the channel already got, has queued, or holds for a digest
/// (within <see cref="StoryOptions.Window"/>) becomes a <see cref="StoryUpdate"/> naming its outlet, not a new alert.
/// New alerts of digest channels are held until the period's end unless a priority term matched.
/// </summary>
/// <remarks>
/// Without an <see cref="IStoryStore"/> (a storage provider that does not keep stories yet) every candidate is a new
/// alert sent at once, as before stories existed.
/// </remarks>
public sealed class StoryPlanner(IOptions<StoryOptions> stories, IOptions<DigestOptions> digests, IStoryStore? store = null)
{
    private readonly StoryMatcher _matcher = new(stories.Value);

    /// <summary>
    /// Runs planning and the commit that writes the plan while holding the story decision of the candidates' channels
    /// (<see cref="IStoryStore.LockStoriesAsync"/>: across instances where the database is shared), so two feeds
    /// polled at once cannot both decide that the same story is new. Polls for other channels do not wait.
    /// </summary>
    public async Task<T> ExclusiveAsync<T>(IReadOnlyList<StoryCandidate> candidates, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        if (store is null || candidates.Count == 0)
        {
            return await work();
        }

        await using var held = await store.LockStoriesAsync([.. candidates.Select(c => c.ChannelId).Distinct()], cancellationToken);
        return await work();
    }

    public async Task<StoryPlan> PlanAsync(IReadOnlyList<StoryCandidate> candidates, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return new StoryPlan([], [], 0);
        }

        if (store is null)
        {
            return new StoryPlan([.. candidates.Select(c => new NewAlert(c.ChannelId, c.ItemKey, c.Message))], [], 0);
        }

        var options = stories.Value;
        var channels = candidates.Select(c => c.ChannelId).Distinct().ToList();
        var modes = await store.GetDigestModesAsync(channels, cancellationToken);
        var priority = (await store.ListPriorityTermsAsync(channels, cancellationToken))
            .ToLookup(p => p.ChannelId, p => p.Text.Trim());
        var known = new Dictionary<long, List<Known>>();
        var fingerprints = candidates.Select(c => StoryFingerprint.Of(c.Item)).ToList();
        if (options.Enabled)
        {
            // Only the alerts that could be one of these stories: looked up by link, title and SimHash, not read whole.
            var probes = candidates.Select((c, i) => new StoryProbe(c.ChannelId, fingerprints[i])).Distinct().ToList();
            foreach (var alert in await store.FindStoryAlertsAsync(probes, now - options.Window, _matcher.MaxDistance, cancellationToken))
            {
                KnownOf(known, alert.ChannelId).Add(new Known(alert.Story, alert.Message, alert.OutboxId, alert.Held, NewIndex: -1));
            }
        }

        var alerts = new List<NewAlert>();
        var updates = new List<StoryUpdate>();
        var joined = 0;
        for (var c = 0; c < candidates.Count; c++)
        {
            var candidate = candidates[c];
            var story = fingerprints[c];
            var list = KnownOf(known, candidate.ChannelId);
            var same = options.Enabled ? list.FindLast(k => _matcher.SameStory(k.Story, story)) : null;
            if (same is not null)
            {
                joined++;
                var merged = StoryMessages.WithSource(same.Message, new AlertSource(candidate.Message.Source, candidate.Item.Link));
                if (ReferenceEquals(merged, same.Message))
                {
                    continue; // the same outlet again (a re-published link): nothing new to say
                }

                same.Message = merged;
                if (same.NewIndex >= 0)
                {
                    alerts[same.NewIndex] = alerts[same.NewIndex] with { Message = merged };
                }
                else
                {
                    updates.Add(new StoryUpdate(same.OutboxId, candidate.ChannelId, candidate.ItemKey, merged));
                }

                continue;
            }

            var mode = modes.GetValueOrDefault(candidate.ChannelId, DigestMode.Off);
            var urgent = candidate.Hits.Any(h => priority[candidate.ChannelId].Contains(h.Term.Trim(), StringComparer.OrdinalIgnoreCase));
            var hold = mode == DigestMode.Off || urgent ? (DateTimeOffset?)null : DigestBuilder.PeriodEnd(mode, now, digests.Value.DailyAt);
            list.Add(new Known(story, candidate.Message, OutboxId: 0, Held: hold is not null, NewIndex: alerts.Count));
            alerts.Add(new NewAlert(candidate.ChannelId, candidate.ItemKey, candidate.Message) { Story = story, HoldUntil = hold });
        }

        return new StoryPlan(alerts, updates, joined);
    }

    private static List<Known> KnownOf(Dictionary<long, List<Known>> known, long channelId)
    {
        if (!known.TryGetValue(channelId, out var list))
        {
            known[channelId] = list = [];
        }

        return list;
    }

    /// <summary>A story the channel has: in the store (<see cref="OutboxId"/>) or new in this plan (<see cref="NewIndex"/>).</summary>
    private sealed record Known(StoryFingerprint Story, AlertMessage Message, long OutboxId, bool Held, int NewIndex)
    {
        public AlertMessage Message { get; set; } = Message;
    }
}
