using AlertBot.Core.Persistence;

namespace AlertBot.Storage.Tests;

/// <summary>
/// The batched 304s and the schedule version: what lets a poll of an unchanged feed and a schedule sync that finds
/// nothing new cost no transaction and no full read of their own.
/// </summary>
public abstract class PollStampStoreTests(TestDatabase db) : StoreTests(db)
{
    [StoreFact]
    public async Task A_batch_of_304s_stamps_each_healthy_feed_and_leaves_a_feed_that_failed_since_or_a_newer_poll_alone()
    {
        var store = await Db.NewMigratedStoreAsync();
        var t0 = Db.Time.GetUtcNow();
        var a = await store.UpsertFeedAsync(new FeedDefinition("https://example.test/a.xml", "A", null), t0, None);
        var b = await store.UpsertFeedAsync(new FeedDefinition("https://example.test/b.xml", "B", null), t0, None);
        var c = await store.UpsertFeedAsync(new FeedDefinition("https://example.test/c.xml", "C", null), t0, None);
        var t1 = t0.AddMinutes(5);
        var t2 = t0.AddMinutes(6);
        await store.RecordFeedFailureAsync(b.Id, "HTTP 503", t2, None); // failed after its 304 was taken
        await store.RecordFeedNotModifiedAsync(c.Id, t2, None);        // polled again, written first

        await store.RecordFeedsNotModifiedAsync([new FeedPollStamp(a.Id, t1), new FeedPollStamp(b.Id, t1), new FeedPollStamp(c.Id, t1)], None);

        var stamped = (await store.GetFeedAsync(a.Id, None))!;
        Assert.Equal(Stored(t1), stamped.LastPolledAt);
        Assert.Equal(Stored(t1), stamped.LastSuccessAt);
        var failed = (await store.GetFeedAsync(b.Id, None))!;
        Assert.Equal(1, failed.ConsecutiveFailures);
        Assert.Equal("HTTP 503", failed.LastError);
        Assert.Equal(Stored(t2), failed.LastPolledAt);
        Assert.Equal(Stored(t2), (await store.GetFeedAsync(c.Id, None))!.LastPolledAt);
        await store.RecordFeedsNotModifiedAsync([], None); // nothing to write is no error
    }

    [StoreFact]
    public async Task The_schedule_version_moves_when_a_feed_is_added_removed_or_retimed_and_not_when_it_is_polled()
    {
        var store = await Db.NewMigratedStoreAsync();
        var now = Db.Time.GetUtcNow();
        var empty = await store.GetScheduleVersionAsync(None);
        var a = await store.UpsertFeedAsync(new FeedDefinition("https://example.test/a.xml", "A", null), now, None);
        var one = await store.GetScheduleVersionAsync(None);
        var b = await store.UpsertFeedAsync(new FeedDefinition("https://example.test/b.xml", "B", TimeSpan.FromMinutes(5)), now, None);
        var two = await store.GetScheduleVersionAsync(None);

        await store.RecordFeedNotModifiedAsync(a.Id, now, None);
        await store.RecordFeedFailureAsync(b.Id, "HTTP 500", now, None);
        await store.UpsertFeedAsync(new FeedDefinition(a.Url, "A renamed", null), now, None);
        Assert.Equal(two, await store.GetScheduleVersionAsync(None));

        await store.UpsertFeedAsync(new FeedDefinition(b.Url, "B", TimeSpan.FromMinutes(7)), now, None);
        var retimed = await store.GetScheduleVersionAsync(None);
        await store.UpsertFeedAsync(new FeedDefinition(a.Url, "A", TimeSpan.FromMinutes(5)), now, None); // own interval, same as the default's
        var explicitly = await store.GetScheduleVersionAsync(None);
        await store.DeleteFeedAsync(a.Id, None);
        var removed = await store.GetScheduleVersionAsync(None);

        string?[] versions = [empty, one, two, retimed, explicitly, removed];
        Assert.All(versions, Assert.NotNull);
        Assert.Equal(versions.Length, versions.Distinct().Count());
    }

    private DateTimeOffset Stored(DateTimeOffset at) =>
        new(at.UtcTicks - (at.UtcTicks % Db.TimestampResolution.Ticks), TimeSpan.Zero);
}

public sealed class SqlitePollStampStoreTests() : PollStampStoreTests(new SqliteTestDatabase());

public sealed class PostgresPollStampStoreTests() : PollStampStoreTests(new PostgresTestDatabase()), IUsesPostgres;
