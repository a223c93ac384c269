using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using AlertBot.Core.Retention;
using AlertBot.Core.Stories;

namespace AlertBot.Storage.Tests;

/// <summary>
/// Retention on every provider: old seen items and closed outbox rows go; what a feed still lists and what is still
/// pending stays, however old.
/// </summary>
public abstract class RetentionStoreTests(TestDatabase db) : StoreTests(db)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(90);

    private DateTimeOffset T0 => Db.Time.GetUtcNow();

    private async Task<(DapperAlertStore Store, IRetentionStore Retention, long FeedId, long ChannelId)> CreateSut()
    {
        var (store, feedId, channelId) = await Samples.FeedAndChannelAsync(Db);
        return (store, Assert.IsAssignableFrom<IRetentionStore>(store), feedId, channelId);
    }

    /// <summary>A poll whose document lists <paramref name="listed"/>, of which <paramref name="fresh"/> are new.</summary>
    private static Task<PollCommitResult> Poll(DapperAlertStore store, long feedId, DateTimeOffset at, string[] listed, params string[] fresh) =>
        store.CommitPollAsync(new PollCommit(feedId, fresh, [], FeedValidators.None, at) { ListedKeys = listed }, None);

    [StoreFact]
    public async Task An_old_item_the_feed_still_lists_stays_seen_and_one_it_dropped_is_pruned()
    {
        var (store, retention, feedId, _) = await CreateSut();
        await Poll(store, feedId, T0, ["evergreen", "dropped", "quiet"], "evergreen", "dropped", "quiet");

        // For 120 days the feed keeps listing "evergreen"; "dropped" leaves the document at once.
        for (var day = 10; day <= 120; day += 10)
        {
            await Poll(store, feedId, T0.AddDays(day), ["evergreen", $"new-{day}"], $"new-{day}");
        }

        var now = T0.AddDays(120);
        var pruned = await retention.PruneAsync(now - MaxAge, None);

        var all = new[] { "evergreen", "dropped", "quiet", "new-10", "new-20", "new-30", "new-40", "new-120" };
        Assert.Equal(new HashSet<string> { "evergreen", "new-30", "new-40", "new-120" }, await store.FindSeenAsync(feedId, all, None));
        Assert.Equal(4, pruned.SeenItems); // dropped, quiet, new-10, new-20 (new-30 is exactly the age: kept)
        Assert.Equal(0, (await retention.PruneAsync(now - MaxAge, None)).SeenItems);
    }

    [StoreFact]
    public async Task A_feed_that_answers_not_modified_for_months_keeps_the_items_of_its_last_document()
    {
        var (store, retention, feedId, _) = await CreateSut();
        await Poll(store, feedId, T0, ["a", "b"], "a", "b");
        await Poll(store, feedId, T0.AddHours(3), ["b", "c"], "c");
        for (var day = 1; day <= 200; day += 30)
        {
            await store.RecordFeedNotModifiedAsync(feedId, T0.AddDays(day), None);
        }

        await retention.PruneAsync(T0.AddDays(200) - MaxAge, None);

        // "a" left the last document (pruned); "b" and "c" are in it (kept, so a later change cannot re-alert them).
        Assert.Equal(new HashSet<string> { "b", "c" }, await store.FindSeenAsync(feedId, ["a", "b", "c"], None));
    }

    [StoreFact]
    public async Task A_commit_without_the_listed_keys_keeps_the_last_known_document_safe()
    {
        var (store, retention, feedId, _) = await CreateSut();
        await Poll(store, feedId, T0, ["a"], "a");
        await store.CommitPollAsync(new PollCommit(feedId, ["b"], [], FeedValidators.None, T0.AddDays(100)), None);

        await retention.PruneAsync(T0.AddDays(100) - MaxAge, None);

        Assert.Equal(new HashSet<string> { "a", "b" }, await store.FindSeenAsync(feedId, ["a", "b"], None));
    }

    [StoreFact]
    public async Task Closed_outbox_rows_older_than_the_age_go_and_pending_rows_and_alerts_a_pending_update_edits_stay()
    {
        var (store, retention, feedId, channel) = await CreateSut();
        var story = new StoryFingerprint("https://news.example/a", "qaani visits baghdad", 0x0123456789abcdef);
        await store.CommitPollAsync(new PollCommit(feedId, ["d", "u", "p", "e"],
            [
                new NewAlert(channel, "d", Samples.Message("delivered")) { Story = story },
                new NewAlert(channel, "e", Samples.Message("edited")) { Story = story with { Url = "https://news.example/e" } },
                new NewAlert(channel, "u", Samples.Message("undeliverable")),
            ],
            FeedValidators.None, T0), None);
        foreach (var entry in await store.ClaimDueAsync(T0, 10, None))
        {
            if (entry.ItemKey == "u")
            {
                continue;
            }

            await store.MarkDeliveredAsync(entry.Id, T0, "m", None);
        }

        await store.MarkChannelUndeliverableAsync(channel, "chat gone", T0, None);
        var edited = Assert.Single(await ((IStoryStore)store).ListStoryAlertsAsync([channel], T0.AddDays(-1), None), a => a.Message.Title == "edited");
        await store.CommitPollAsync(new PollCommit(feedId, [], [], FeedValidators.None, T0.AddDays(100))
        {
            Updates = [new StoryUpdate(edited.OutboxId, channel, "e2", Samples.Message("edited"))],
        }, None);
        await store.EnqueueAsync([new NewAlert(channel, "p", Samples.Message("pending"))], T0, None); // pending since T0

        var pruned = await retention.PruneAsync(T0.AddDays(100) - MaxAge, None);

        Assert.Equal(2, pruned.OutboxRows); // delivered and undeliverable
        Assert.Equal(["edited"], (await ((IStoryStore)store).ListStoryAlertsAsync([channel], T0.AddDays(-1), None)).Select(a => a.Message.Title));
        var stats = await store.GetOutboxStatsAsync(channel, None);
        Assert.Equal((2, 0), (stats.Pending, stats.Undeliverable)); // the old pending alert and the update
        Assert.Equal(0, (await retention.PruneAsync(T0.AddDays(100) - MaxAge, None)).OutboxRows);

        // A channel that never gets the same item twice still holds for what is kept.
        Assert.Equal(0, (await store.CommitPollAsync(new PollCommit(feedId, [], [new NewAlert(channel, "p", Samples.Message())], FeedValidators.None, T0.AddDays(100)), None)).AlertsEnqueued);
    }

    [StoreFact]
    public async Task Pruning_walks_through_more_rows_than_one_batch()
    {
        var (store, retention, feedId, _) = await CreateSut();
        var keys = Enumerable.Range(0, 4500).Select(i => $"k{i}").ToArray();
        await Poll(store, feedId, T0, keys, keys);
        await Poll(store, feedId, T0.AddDays(100), ["other"], "other");

        Assert.Equal(4500, (await retention.PruneAsync(T0.AddDays(100) - MaxAge, None)).SeenItems);
        Assert.Equal(new HashSet<string> { "other" }, await store.FindSeenAsync(feedId, [.. keys, "other"], None));
    }
}

public sealed class SqliteRetentionStoreTests() : RetentionStoreTests(new SqliteTestDatabase());

public sealed class PostgresRetentionStoreTests() : RetentionStoreTests(new PostgresTestDatabase()), IUsesPostgres;
