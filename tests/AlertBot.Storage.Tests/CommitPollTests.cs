using System.Data.Common;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;

namespace AlertBot.Storage.Tests;

public abstract class CommitPollTests(TestDatabase db) : StoreTests(db)
{
    private Task<(DapperAlertStore Store, long FeedId, long ChannelId)> CreateSut() => Samples.FeedAndChannelAsync(Db);

    [StoreFact]
    public async Task A_commit_marks_keys_seen_enqueues_alerts_and_records_a_successful_poll()
    {
        var (store, feedId, channelId) = await CreateSut();
        await store.RecordFeedFailureAsync(feedId, "HTTP 500", Db.Time.GetUtcNow(), None);
        var at = Db.Time.GetUtcNow().AddMinutes(5);

        var result = await store.CommitPollAsync(
            new PollCommit(feedId, ["a", "b", "c"], [new(channelId, "b", Samples.Message())], new FeedValidators("W/\"7\"", "Thu, 26 Mar 2026 09:35:00 GMT"), at),
            None);

        Assert.Equal(new PollCommitResult(3, 1), result);
        Assert.Equal(new HashSet<string> { "a", "c" }, await store.FindSeenAsync(feedId, ["a", "c", "zzz"], None));
        var feed = (await store.GetFeedAsync(feedId, None))!;
        Assert.True(feed.BaselineDone);
        Assert.Equal(new FeedValidators("W/\"7\"", "Thu, 26 Mar 2026 09:35:00 GMT"), feed.Validators);
        Assert.Null(feed.LastError);
        Assert.Equal(0, feed.ConsecutiveFailures);
        Assert.Equal(at, feed.LastSuccessAt);
        Assert.Equal(at, feed.LastPolledAt);
        Assert.Equal(new OutboxStats(1, at, null, 0), await store.GetOutboxStatsAsync(null, None));
    }

    [StoreFact]
    public async Task Seen_keys_belong_to_their_feed()
    {
        var (store, feedId, _) = await CreateSut();
        var other = await store.UpsertFeedAsync(Samples.Feed("other"), Db.Time.GetUtcNow(), None);

        await store.CommitPollAsync(new PollCommit(feedId, ["shared-key"], [], FeedValidators.None, Db.Time.GetUtcNow()), None);

        Assert.Empty(await store.FindSeenAsync(other.Id, ["shared-key"], None));
        Assert.Empty(await store.FindSeenAsync(feedId, [], None));
        var many = Enumerable.Range(0, 5000).Select(i => $"key-{i}").Append("shared-key").ToList();
        Assert.Equal(["shared-key"], await store.FindSeenAsync(feedId, many, None));
    }

    [StoreFact]
    public async Task An_item_already_in_a_channels_outbox_is_skipped_and_not_counted_even_after_delivery()
    {
        var (store, feedId, channelId) = await CreateSut();
        var other = await store.EnsureChannelAsync(Samples.Discord, null, Db.Time.GetUtcNow(), None);
        var at = Db.Time.GetUtcNow();

        var first = await store.CommitPollAsync(
            new PollCommit(feedId, ["x"], [new(channelId, "x", Samples.Message("first")), new(channelId, "x", Samples.Message("twin"))], FeedValidators.None, at),
            None);
        var delivered = (await store.ClaimDueAsync(at, 10, None)).Single();
        await store.MarkDeliveredAsync(delivered.Id, at, "m-1", None);
        var second = await store.CommitPollAsync(
            new PollCommit(feedId, ["x"], [new(channelId, "x", Samples.Message("again")), new(other.Id, "x", Samples.Message("elsewhere"))], FeedValidators.None, at.AddMinutes(1)),
            None);

        Assert.Equal(new PollCommitResult(1, 1), first);
        Assert.Equal("first", delivered.Message.Title);
        Assert.Equal(new PollCommitResult(0, 1), second);
        var pending = await store.ClaimDueAsync(at.AddMinutes(1), 10, None);
        Assert.Equal([(other.Id, "elsewhere")], pending.Select(e => (e.ChannelId, e.Message.Title)));
    }

    [StoreFact]
    public async Task A_failure_inside_the_commit_leaves_nothing_seen_nothing_queued_and_the_feed_untouched()
    {
        var (store, feedId, channelId) = await CreateSut();
        var before = await store.GetFeedAsync(feedId, None);
        const long missingChannel = 987_654;

        var error = await Assert.ThrowsAnyAsync<DbException>(() => store.CommitPollAsync(
            new PollCommit(
                feedId,
                ["a", "b"],
                [new(channelId, "a", Samples.Message()), new(missingChannel, "b", Samples.Message())],
                new FeedValidators("\"new\"", null),
                Db.Time.GetUtcNow()),
            None));

        Assert.Contains("foreign key", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await store.FindSeenAsync(feedId, ["a", "b"], None));
        Assert.Equal(new OutboxStats(0, null, null, 0), await store.GetOutboxStatsAsync(null, None));
        Assert.Equal(before, await store.GetFeedAsync(feedId, None));
    }

    [StoreFact]
    public async Task A_commit_for_an_unknown_feed_is_refused()
    {
        var (store, feedId, _) = await CreateSut();

        await Assert.ThrowsAnyAsync<Exception>(() => store.CommitPollAsync(
            new PollCommit(feedId + 1000, [], [], FeedValidators.None, Db.Time.GetUtcNow()), None));
        await Assert.ThrowsAnyAsync<Exception>(() => store.CommitPollAsync(
            new PollCommit(feedId + 1000, ["k"], [], FeedValidators.None, Db.Time.GetUtcNow()), None));
        Assert.Empty(await Db.QueryAsync<string>("SELECT item_key FROM seen_items"));
    }

    [StoreFact]
    public async Task Many_concurrent_commits_from_several_stores_all_land()
    {
        var (store, feedId, channelId) = await CreateSut();
        var stores = new[] { store, await Db.NewMigratedStoreAsync(), await Db.NewMigratedStoreAsync() };
        var at = Db.Time.GetUtcNow();
        const int Tasks = 30;
        const int KeysPerTask = 20;

        var results = await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            var sut = stores[t % stores.Length];
            var keys = Enumerable.Range(0, KeysPerTask).Select(k => $"t{t}-k{k}").ToList();
            var alerts = keys.Take(2).Select(k => new NewAlert(channelId, k, Samples.Message(k))).ToList();

            // Reads and small writes interleave with the commits, as jobs and chat handlers do.
            await sut.FindSeenAsync(feedId, keys, None);
            await sut.SetStateAsync($"task-{t}", "running", None);
            var result = await sut.CommitPollAsync(new PollCommit(feedId, keys, alerts, FeedValidators.None, at.AddTicks(t)), None);
            await sut.ClaimDueAsync(at.AddDays(1), 5, None);
            return result;
        })));

        Assert.All(results, r => Assert.Equal(new PollCommitResult(KeysPerTask, 2), r));
        Assert.Equal(Tasks * KeysPerTask, (await Db.QueryAsync<long>("SELECT COUNT(*) FROM seen_items")).Single());
        Assert.Equal(Tasks * 2, (await store.GetOutboxStatsAsync(channelId, None)).Pending);
    }
}

public sealed class SqliteCommitPollTests() : CommitPollTests(new SqliteTestDatabase());

public sealed class PostgresCommitPollTests() : CommitPollTests(new PostgresTestDatabase()), IUsesPostgres;
