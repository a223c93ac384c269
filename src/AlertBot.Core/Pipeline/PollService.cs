using AlertBot.Core.Feeds;
using AlertBot.Core.Items;
using AlertBot.Core.Persistence;
using AlertBot.Core.Summaries;
using Microsoft.Extensions.Logging;

namespace AlertBot.Core.Pipeline;

/// <summary>What one poll of one feed did.</summary>
public sealed record PollOutcome(long FeedId, PollStatus Status, int Items, int NewItems, int AlertsEnqueued, string? Error = null);

public enum PollStatus
{
    Polled,
    NotModified,
    Baseline,
    Failed,
    UnknownFeed,
}

/// <summary>
/// The pipeline for one feed, left to right: read → identify → drop the seen → match every channel's terms at once →
/// summarise → mark seen and enqueue alerts in one transaction. Nothing is sent from here; the delivery job drains
/// the outbox, so a crash at any point loses nothing and a retry never re-runs this.
/// </summary>
public sealed partial class PollService(
    IFeedReader reader,
    IAlertStore store,
    MatcherCache matchers,
    Summarizer summarizer,
    TimeProvider time,
    ILogger<PollService> logger)
{
    public async Task<PollOutcome> PollAsync(long feedId, CancellationToken cancellationToken)
    {
        var feed = await store.GetFeedAsync(feedId, cancellationToken);
        if (feed is null)
        {
            return new PollOutcome(feedId, PollStatus.UnknownFeed, 0, 0, 0, "no such feed");
        }

        var result = await reader.ReadAsync(feed.Url, feed.Validators, cancellationToken);
        var now = time.GetUtcNow();
        switch (result)
        {
            case FeedReadResult.Failure failure:
                var reason = $"{failure.Kind}: {failure.Reason}";
                await store.RecordFeedFailureAsync(feed.Id, reason, now, cancellationToken);
                LogFeedFailed(feed.Id, feed.Name, reason);
                return new PollOutcome(feed.Id, PollStatus.Failed, 0, 0, 0, reason);

            case FeedReadResult.NotModified:
                await store.RecordFeedNotModifiedAsync(feed.Id, now, cancellationToken);
                return new PollOutcome(feed.Id, PollStatus.NotModified, 0, 0, 0);

            case FeedReadResult.Success success:
                return await ProcessAsync(feed, success, now, cancellationToken);

            default:
                throw new InvalidOperationException($"Unknown feed result {result.GetType().Name}.");
        }
    }

    private async Task<PollOutcome> ProcessAsync(
        FeedRecord feed, FeedReadResult.Success success, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // One key per item; a feed listing the same item twice counts it once (the first, as the feed ordered them).
        var items = new List<(string Key, NewsItem Item)>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in success.Items)
        {
            var key = ItemIdentity.KeyFor(item);
            if (keys.Add(key))
            {
                items.Add((key, WithSource(item, feed, success.FeedTitle)));
            }
        }

        var seen = await store.FindSeenAsync(feed.Id, keys, cancellationToken);
        var unseen = items.Where(i => !seen.Contains(i.Key)).ToList();

        // A new feed records what it already holds as a baseline and alerts only on its newest `Backfill` items.
        var candidates = feed.BaselineDone ? unseen : Newest(unseen, feed.Backfill);

        var alerts = new List<NewAlert>();
        if (candidates.Count > 0)
        {
            var subscribers = (await store.ListDeliverableSubscribersAsync(feed.Id, cancellationToken)).ToHashSet();
            if (subscribers.Count > 0)
            {
                var matcher = await matchers.GetAsync(cancellationToken);
                foreach (var (key, item) in candidates)
                {
                    foreach (var (channelId, hits) in matcher.Match(item).ByOwner)
                    {
                        if (subscribers.Contains(channelId))
                        {
                            alerts.Add(new NewAlert(channelId, key, summarizer.Summarize(item, hits)));
                        }
                    }
                }
            }
        }

        var commit = await store.CommitPollAsync(
            new PollCommit(feed.Id, unseen.Select(i => i.Key).ToList(), alerts, success.Validators, now),
            cancellationToken);

        var status = feed.BaselineDone ? PollStatus.Polled : PollStatus.Baseline;
        LogPolled(feed.Id, feed.Name, items.Count, unseen.Count, commit.AlertsEnqueued, status);
        return new PollOutcome(feed.Id, status, items.Count, unseen.Count, commit.AlertsEnqueued);
    }

    private static NewsItem WithSource(NewsItem item, FeedRecord feed, string? feedTitle)
    {
        var source = !string.IsNullOrWhiteSpace(item.SourceName) ? item.SourceName
            : !string.IsNullOrWhiteSpace(feedTitle) ? feedTitle
            : feed.Name;
        return item.SourceName == source ? item : item with { SourceName = source };
    }

    /// <summary>The newest items by date; undated items keep the feed's order (feeds list newest first).</summary>
    private static List<(string Key, NewsItem Item)> Newest(List<(string Key, NewsItem Item)> items, int count) =>
        count <= 0
            ? []
            : items
                .Select((entry, index) => (entry, index))
                .OrderByDescending(x => x.entry.Item.Published ?? x.entry.Item.Updated ?? DateTimeOffset.MinValue)
                .ThenBy(x => x.index)
                .Take(count)
                .Select(x => x.entry)
                .ToList();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {FeedId} ({FeedName}) failed: {Reason}")]
    private partial void LogFeedFailed(long feedId, string feedName, string reason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Feed {FeedId} ({FeedName}): {Items} items, {NewItems} new, {Alerts} alerts queued ({Status})")]
    private partial void LogPolled(long feedId, string feedName, int items, int newItems, int alerts, PollStatus status);
}
