using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;

namespace AlertBot.Storage.Tests;

public abstract class FeedStoreTests(TestDatabase db) : StoreTests(db)
{
    private Task<DapperAlertStore> CreateSut() => Db.NewMigratedStoreAsync();

    [StoreFact]
    public async Task A_new_feed_is_stored_with_its_definition_and_no_polling_state()
    {
        var store = await CreateSut();
        var now = new DateTimeOffset(2026, 3, 26, 13, 30, 0, TimeSpan.FromHours(4)).AddTicks(1234567);

        var feed = await store.UpsertFeedAsync(new FeedDefinition("https://example.test/a.xml", "A", TimeSpan.FromSeconds(90), 3), now, None);

        Assert.True(feed.Id > 0);
        Assert.Equal("https://example.test/a.xml", feed.Url);
        Assert.Equal("A", feed.Name);
        Assert.Equal(TimeSpan.FromSeconds(90), feed.Interval);
        Assert.Equal(3, feed.Backfill);
        Assert.False(feed.BaselineDone);
        Assert.Equal(FeedValidators.None, feed.Validators);
        Assert.Null(feed.LastPolledAt);
        Assert.Null(feed.LastError);
        Assert.Equal(0, feed.ConsecutiveFailures);
        // The instant comes back to the provider's resolution (SQLite: the tick; PostgreSQL: the microsecond), in UTC.
        var stored = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % Db.TimestampResolution.Ticks), TimeSpan.Zero);
        Assert.Equal(stored, feed.CreatedAt);
        Assert.Equal(stored.UtcTicks, feed.CreatedAt.UtcTicks);
        Assert.Equal(TimeSpan.Zero, feed.CreatedAt.Offset);
        Assert.Equal(feed, await store.GetFeedAsync(feed.Id, None));
        Assert.Equal(feed, await store.FindFeedByUrlAsync(feed.Url, None));
    }

    [StoreFact]
    public async Task A_feed_given_no_interval_follows_the_default_until_one_is_set_and_again_after_it_is_cleared()
    {
        var store = await CreateSut();
        var now = Db.Time.GetUtcNow();

        var feed = await store.UpsertFeedAsync(new FeedDefinition("https://example.test/d.xml", "D", null), now, None);
        Assert.Null(feed.Interval);
        Assert.Equal(TimeSpan.FromMinutes(7), feed.IntervalOr(TimeSpan.FromMinutes(7)));

        var set = await store.UpsertFeedAsync(new FeedDefinition(feed.Url, "D", TimeSpan.FromMinutes(20)), now, None);
        Assert.Equal(TimeSpan.FromMinutes(20), set.Interval);
        Assert.Equal(TimeSpan.FromMinutes(20), set.IntervalOr(TimeSpan.FromMinutes(7)));

        var cleared = await store.UpsertFeedAsync(new FeedDefinition(feed.Url, "D", null), now, None);
        Assert.Null((await store.GetFeedAsync(cleared.Id, None))!.Interval);
    }

    [StoreFact]
    public async Task Deleting_a_feed_detaches_it_from_its_channels_and_forgets_it()
    {
        var store = await CreateSut();
        var now = Db.Time.GetUtcNow();
        var feed = await store.UpsertFeedAsync(Samples.Feed(), now, None);
        var other = await store.UpsertFeedAsync(new FeedDefinition("https://example.test/other.xml", "Other", null), now, None);
        var channel = await store.EnsureChannelAsync(new AlertBot.Core.Channels.ChannelRef("telegram", "1"), null, now, None);
        await store.AttachFeedAsync(channel.Id, feed.Id, None);
        await store.AttachFeedAsync(channel.Id, other.Id, None);
        await store.CommitPollAsync(new PollCommit(feed.Id, ["k1"], [], FeedValidators.None, now), None);

        Assert.True(await store.DeleteFeedAsync(feed.Id, None));

        Assert.Null(await store.GetFeedAsync(feed.Id, None));
        Assert.Equal([other.Id], (await store.ListChannelFeedsAsync(channel.Id, None)).Select(f => f.Id));
        Assert.False(await store.DeleteFeedAsync(feed.Id, None));
    }

    [StoreFact]
    public async Task Upserting_the_same_url_updates_the_definition_and_keeps_the_polling_state()
    {
        var store = await CreateSut();
        var created = Db.Time.GetUtcNow();
        var first = await store.UpsertFeedAsync(Samples.Feed(), created, None);
        await store.CommitPollAsync(new PollCommit(first.Id, ["k1"], [], new FeedValidators("\"e1\"", "Wed, 26 Mar 2025 10:00:00 GMT"), created), None);

        var second = await store.UpsertFeedAsync(new FeedDefinition(first.Url, "Renamed", TimeSpan.FromMinutes(15), 7), created.AddDays(1), None);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal("Renamed", second.Name);
        Assert.Equal(TimeSpan.FromMinutes(15), second.Interval);
        Assert.Equal(7, second.Backfill);
        Assert.Equal(created, second.CreatedAt);
        Assert.True(second.BaselineDone);
        Assert.Equal(new FeedValidators("\"e1\"", "Wed, 26 Mar 2025 10:00:00 GMT"), second.Validators);
        Assert.Single(await store.ListFeedsAsync(None));
    }

    [StoreFact]
    public async Task Feeds_are_listed_in_the_order_they_were_added_and_unknown_ones_are_null()
    {
        var store = await CreateSut();
        var now = Db.Time.GetUtcNow();
        var a = await store.UpsertFeedAsync(Samples.Feed("a"), now, None);
        var b = await store.UpsertFeedAsync(Samples.Feed("b"), now, None);

        Assert.Equal([a.Id, b.Id], (await store.ListFeedsAsync(None)).Select(f => f.Id));
        Assert.Null(await store.GetFeedAsync(b.Id + 100, None));
        Assert.Null(await store.FindFeedByUrlAsync("https://example.test/none.xml", None));
    }

    [StoreFact]
    public async Task Failures_count_up_and_a_not_modified_poll_clears_them()
    {
        var store = await CreateSut();
        var feed = await store.UpsertFeedAsync(Samples.Feed(), Db.Time.GetUtcNow(), None);
        var t1 = Db.Time.GetUtcNow().AddMinutes(5);
        var t2 = t1.AddMinutes(5);
        var t3 = t2.AddMinutes(5);

        await store.RecordFeedFailureAsync(feed.Id, "HTTP 503", t1, None);
        await store.RecordFeedFailureAsync(feed.Id, "timeout after 30 s", t2, None);
        var failing = (await store.GetFeedAsync(feed.Id, None))!;

        Assert.Equal(2, failing.ConsecutiveFailures);
        Assert.Equal("timeout after 30 s", failing.LastError);
        Assert.Equal(t2, failing.LastPolledAt);
        Assert.Null(failing.LastSuccessAt);

        await store.RecordFeedNotModifiedAsync(feed.Id, t3, None);
        var recovered = (await store.GetFeedAsync(feed.Id, None))!;

        Assert.Equal(0, recovered.ConsecutiveFailures);
        Assert.Null(recovered.LastError);
        Assert.Equal(t3, recovered.LastPolledAt);
        Assert.Equal(t3, recovered.LastSuccessAt);
    }

    [StoreFact]
    public async Task A_definition_without_a_positive_interval_is_refused()
    {
        var store = await CreateSut();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            store.UpsertFeedAsync(new FeedDefinition("https://example.test/x", "x", TimeSpan.Zero), Db.Time.GetUtcNow(), None));
        Assert.Empty(await store.ListFeedsAsync(None));
    }
}

public sealed class SqliteFeedStoreTests() : FeedStoreTests(new SqliteTestDatabase());

public sealed class PostgresFeedStoreTests() : FeedStoreTests(new PostgresTestDatabase()), IUsesPostgres;
