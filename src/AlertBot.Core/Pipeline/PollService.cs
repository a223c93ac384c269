using AlertBot.Core.Actions;
using AlertBot.Core.Diagnostics;
using AlertBot.Core.Feeds;
using AlertBot.Core.Items;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Pipeline;

/// <summary>What one poll of one feed did.</summary>
public sealed record PollOutcome(long FeedId, PollStatus Status, int Items, int NewItems, int AlertsEnqueued, string? Error = null);

public enum PollStatus
{
    Polled,
    /// <summary>The feed is failing and its backoff (or pause) has not run out: not fetched this time.</summary>
    BackingOff,
    NotModified,
    Baseline,
    Failed,
    UnknownFeed,
}

/// <summary>
/// The pipeline for one feed, left to right: read → identify → drop the seen → match every channel's terms at once →
/// summarise → fold copies of a story the channel already has into that alert → mark seen and enqueue alerts in one
/// transaction. Nothing is sent from here; the delivery job drains the outbox, so a crash at any point loses nothing
/// and a retry never re-runs this.
/// </summary>
public sealed partial class PollService(
    IFeedReader reader,
    IFeedStore feeds,
    IPollStore polls,
    IChannelStore channels,
    IOutboxStore outbox,
    MatcherCache matchers,
    RegexTimeoutReporter regexTimeouts,
    Summarizer summarizer,
    StoryPlanner stories,
    IOptions<PollingOptions> options,
    AlertBotMetrics metrics,
    PollActivity activity,
    TimeProvider time,
    ILogger<PollService> logger,
    OutboxSignal outboxSignal,
    AlertActionPlanner? actions = null,
    PollStamps? stamps = null)
{
    private readonly AlertActionPlanner _actions = actions ?? new AlertActionPlanner();

    /// <summary>The source name of AlertBot's own notices (feed paused, feed back).</summary>
    public const string NoticeSource = "AlertBot";

    /// <summary>A feed's own title longer than this is cut when it becomes the feed's name.</summary>
    private const int MaxFeedNameLength = 120;

    public async Task<PollOutcome> PollAsync(long feedId, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var outcome = await PollOnceAsync(feedId, cancellationToken);
        if (outcome.Status != PollStatus.BackingOff)
        {
            metrics.PollDuration(time.GetElapsedTime(started), outcome.Status.ToString());
        }

        metrics.Polled(outcome.Status);
        activity.Record(outcome);
        if (outcome.AlertsEnqueued > 0)
        {
            outboxSignal.Raise();
        }

        return outcome;
    }

    private async Task<PollOutcome> PollOnceAsync(long feedId, CancellationToken cancellationToken)
    {
        var feed = await feeds.GetFeedAsync(feedId, cancellationToken);
        if (feed is null)
        {
            return new PollOutcome(feedId, PollStatus.UnknownFeed, 0, 0, 0, "no such feed");
        }

        if (NextAttemptAt(feed) is { } next && time.GetUtcNow() < next)
        {
            return new PollOutcome(feed.Id, PollStatus.BackingOff, 0, 0, 0, feed.LastError);
        }

        var result = await reader.ReadAsync(feed.Url, feed.Validators, cancellationToken);
        var now = time.GetUtcNow();
        switch (result)
        {
            case FeedReadResult.Failure failure:
                var reason = $"{failure.Kind}: {failure.Reason}";
                await polls.RecordFeedFailureAsync(feed.Id, reason, now, cancellationToken);
                metrics.FeedError(failure.Kind.ToString());
                LogFeedFailed(feed.Id, feed.Name, feed.ConsecutiveFailures + 1, reason);
                if (feed.ConsecutiveFailures + 1 == options.Value.MaxConsecutiveFailures)
                {
                    // Said once, when the feed crosses the line: not on every later failure.
                    await NotifyAsync(feed, now, "paused",
                        $"Feed paused: {feed.Name}",
                        $"{feed.Url} failed {feed.ConsecutiveFailures + 1} times in a row; the last error was: {reason}. " +
                        $"AlertBot will try it again every {Describe(options.Value.PausedRetryInterval)} and say when it works again.",
                        cancellationToken);
                    LogFeedPaused(feed.Id, feed.Name, reason);
                }

                return new PollOutcome(feed.Id, PollStatus.Failed, 0, 0, 0, reason);

            case FeedReadResult.NotModified when stamps is not null && feed.ConsecutiveFailures == 0 && feed.LastError is null:
                // Nothing changes but the poll time: written with the other 304s of this second, not in a transaction of its own.
                stamps.NotModified(feed.Id, now);
                return new PollOutcome(feed.Id, PollStatus.NotModified, 0, 0, 0);

            case FeedReadResult.NotModified:
                await polls.RecordFeedNotModifiedAsync(feed.Id, now, cancellationToken);
                await NotifyRecoveredAsync(feed, now, cancellationToken);
                return new PollOutcome(feed.Id, PollStatus.NotModified, 0, 0, 0);

            case FeedReadResult.Success success:
                var outcome = await ProcessAsync(feed, success, now, cancellationToken);
                await NotifyRecoveredAsync(feed, now, cancellationToken);
                return outcome;

            default:
                throw new InvalidOperationException($"Unknown feed result {result.GetType().Name}.");
        }
    }

    private async Task<PollOutcome> ProcessAsync(
        FeedRecord feed, FeedReadResult.Success success, DateTimeOffset now, CancellationToken cancellationToken)
    {
        feed = await NameAfterTitleAsync(feed, success.FeedTitle, now, cancellationToken);

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

        metrics.ItemsFetched(items.Count);
        var seen = await polls.FindSeenAsync(feed.Id, keys, cancellationToken);
        var unseen = items.Where(i => !seen.Contains(i.Key)).ToList();

        // A new feed records what it already holds as a baseline and alerts only on its newest `Backfill` items.
        var candidates = OldestFirst(feed.BaselineDone ? unseen : Newest(unseen, feed.Backfill));

        var matched = new List<StoryCandidate>();

        // Items a regex term ran out of time on: their hits may be incomplete, so they stay unseen and are matched
        // again next poll (a channel that already got the item is not alerted twice: the outbox keeps one per pair).
        var retry = new HashSet<string>(StringComparer.Ordinal);
        var termHits = new List<(long ChannelId, IReadOnlyList<Matching.TermHit> Hits)>();
        if (candidates.Count > 0)
        {
            var subscribers = (await channels.ListDeliverableSubscribersAsync(feed.Id, cancellationToken)).ToHashSet();
            if (subscribers.Count > 0)
            {
                var matcher = await matchers.GetAsync(cancellationToken);
                var mutes = await _actions.TermMutesAsync(subscribers, now, cancellationToken);
                foreach (var (key, item) in candidates)
                {
                    var matches = matcher.Match(item);
                    metrics.Matched(matches.IsEmpty ? 0 : 1);
                    if (!matches.IsComplete)
                    {
                        retry.Add(key);
                        regexTimeouts.Report(matches.TimedOut, $"feed {feed.Id} ({feed.Name})");
                    }

                    foreach (var (channelId, hits) in matches.ByOwner)
                    {
                        if (!subscribers.Contains(channelId))
                        {
                            continue;
                        }

                        // Trends count what the news did; a muted term is counted but does not alert.
                        termHits.Add((channelId, hits));
                        var kept = mutes.Keep(channelId, hits);
                        if (kept.Count > 0)
                        {
                            matched.Add(new StoryCandidate(channelId, key, item, kept, summarizer.Summarize(item, kept)));
                        }
                    }
                }
            }
        }

        // Stories: a match whose story the channel already has becomes an "also: <outlet>" update of that alert, not
        // a second alert. Deciding and committing happen while the matched channels' story decision is held (across
        // instances on a shared database), so two feeds polled at once cannot both find the story new; a poll without
        // matches has nothing to decide and does not wait for it.
        async Task<PollCommitResult> PlanAndCommitAsync()
        {
            var plan = await _actions.ApplyAsync(await stories.PlanAsync(matched, now, cancellationToken), now, cancellationToken);
            return await polls.CommitPollAsync(
                new PollCommit(feed.Id, unseen.Select(i => i.Key).Where(k => !retry.Contains(k)).ToList(), plan.Alerts, success.Validators, now)
                {
                    Updates = plan.Updates,
                    ListedKeys = [.. keys],
                    TermHits = AlertActionPlanner.CountTerms(termHits, now),
                },
                cancellationToken);
        }

        var commit = await stories.ExclusiveAsync(matched, PlanAndCommitAsync, cancellationToken);

        metrics.AlertsQueued(commit.AlertsEnqueued);
        var status = feed.BaselineDone ? PollStatus.Polled : PollStatus.Baseline;
        // Routine polls are Debug (thousands per cycle; the periodic summary counts them); one that queued alerts is news.
        if (commit.AlertsEnqueued > 0)
        {
            LogPolledWithAlerts(feed.Id, feed.Name, items.Count, unseen.Count, commit.AlertsEnqueued, status);
        }
        else
        {
            LogPolled(feed.Id, feed.Name, items.Count, unseen.Count, status);
        }

        return new PollOutcome(feed.Id, status, items.Count, unseen.Count, commit.AlertsEnqueued);
    }

    /// <summary>
    /// When a failing feed may be fetched again: its interval doubled per failure, capped, or the paused interval once
    /// it is paused. Null for a healthy feed (the schedule alone decides).
    /// </summary>
    internal DateTimeOffset? NextAttemptAt(FeedRecord feed)
    {
        if (feed.ConsecutiveFailures == 0 || feed.LastPolledAt is not { } last)
        {
            return null;
        }

        var settings = options.Value;
        if (feed.ConsecutiveFailures >= settings.MaxConsecutiveFailures)
        {
            return last + settings.PausedRetryInterval;
        }

        // 1 failure: the next scheduled poll goes ahead; 2: one interval; each further one doubles the wait.
        return feed.ConsecutiveFailures < 2
            ? last
            : last + new Resilience.RetryDelay(feed.IntervalOr(settings.DefaultInterval), settings.FailureBackoffMax).For(feed.ConsecutiveFailures - 2);
    }

    private async Task NotifyRecoveredAsync(FeedRecord feed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (feed.ConsecutiveFailures >= options.Value.MaxConsecutiveFailures)
        {
            await NotifyAsync(feed, now, "resumed", $"Feed working again: {feed.Name}",
                $"{feed.Url} answered again after {feed.ConsecutiveFailures} failed polls; alerts from it resume.", cancellationToken);
            LogFeedResumed(feed.Id, feed.Name);
        }
    }

    /// <summary>A notice goes through the outbox like an alert: in order, retried, never lost.</summary>
    private async Task NotifyAsync(FeedRecord feed, DateTimeOffset now, string kind, string title, string text, CancellationToken cancellationToken)
    {
        var subscribers = await channels.ListDeliverableSubscribersAsync(feed.Id, cancellationToken);
        if (subscribers.Count == 0)
        {
            return;
        }

        var message = new AlertMessage { Title = title, Source = NoticeSource, PublishedAt = now, Sentences = [text] };
        var key = $"notice:feed-{kind}:{feed.Id}:{now.UtcTicks}";
        await outbox.EnqueueAsync([.. subscribers.Select(c => new NewAlert(c, key, message))], now, cancellationToken);
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#} day(s)" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} hour(s)" : $"{span.TotalMinutes:0.#} minute(s)";

    /// <summary>
    /// A feed added from chat is named after its host until its own title is known; two feeds of one site would
    /// otherwise look the same in /feeds list. A name an operator gave (anything but the bare host) is kept.
    /// </summary>
    private async Task<FeedRecord> NameAfterTitleAsync(FeedRecord feed, string? feedTitle, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var title = feedTitle?.Trim();
        if (string.IsNullOrEmpty(title) || title == feed.Name ||
            !Uri.TryCreate(feed.Url, UriKind.Absolute, out var uri) || !string.Equals(feed.Name, uri.Host, StringComparison.OrdinalIgnoreCase))
        {
            return feed;
        }

        if (title.Length > MaxFeedNameLength)
        {
            title = title[..(MaxFeedNameLength - 1)].TrimEnd() + "…";
        }

        return await feeds.UpsertFeedAsync(new FeedDefinition(feed.Url, title, feed.Interval, feed.Backfill), now, cancellationToken);
    }

    private static NewsItem WithSource(NewsItem item, FeedRecord feed, string? feedTitle)
    {
        var source = !string.IsNullOrWhiteSpace(item.SourceName) ? item.SourceName
            : !string.IsNullOrWhiteSpace(feedTitle) ? feedTitle
            : feed.Name;
        return item.SourceName == source ? item : item with { SourceName = source };
    }

    /// <summary>
    /// The order alerts are queued in, so a chat reads a burst of news in the order it happened: by date, oldest first,
    /// and where dates tie or are missing, the feed's order reversed (feeds list newest first). Undated items, whose age
    /// is unknown, go before dated ones, keeping that reversed order among themselves.
    /// </summary>
    internal static List<(string Key, NewsItem Item)> OldestFirst(List<(string Key, NewsItem Item)> items) =>
        items
            .Select((entry, index) => (entry, index))
            .OrderBy(x => x.entry.Item.Published ?? x.entry.Item.Updated ?? DateTimeOffset.MinValue)
            .ThenByDescending(x => x.index)
            .Select(x => x.entry)
            .ToList();

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {FeedId} ({FeedName}) failed ({Failures} in a row): {Reason}")]
    private partial void LogFeedFailed(long feedId, string feedName, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {FeedId} ({FeedName}) paused after repeated failures; its channels were told. Last error: {Reason}")]
    private partial void LogFeedPaused(long feedId, string feedName, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {FeedId} ({FeedName}) works again; its channels were told")]
    private partial void LogFeedResumed(long feedId, string feedName);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Feed {FeedId} ({FeedName}): {Items} items, {NewItems} new, {Alerts} alerts queued ({Status})")]
    private partial void LogPolledWithAlerts(long feedId, string feedName, int items, int newItems, int alerts, PollStatus status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed {FeedId} ({FeedName}): {Items} items, {NewItems} new ({Status})")]
    private partial void LogPolled(long feedId, string feedName, int items, int newItems, PollStatus status);
}
