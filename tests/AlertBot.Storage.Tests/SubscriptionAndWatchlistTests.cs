using AlertBot.Core.Persistence;

namespace AlertBot.Storage.Tests;

public abstract class SubscriptionAndWatchlistTests(TestDatabase db) : StoreTests(db)
{
    private Task<DapperAlertStore> CreateSut() => Db.NewMigratedStoreAsync();

    [StoreFact]
    public async Task Attach_and_detach_report_whether_anything_changed()
    {
        var store = await CreateSut();
        var now = Db.Time.GetUtcNow();
        var a = await store.UpsertFeedAsync(Samples.Feed("a"), now, None);
        var b = await store.UpsertFeedAsync(Samples.Feed("b"), now, None);
        var channel = await store.EnsureChannelAsync(Samples.Telegram, null, now, None);

        Assert.True(await store.AttachFeedAsync(channel.Id, a.Id, None));
        Assert.False(await store.AttachFeedAsync(channel.Id, a.Id, None));
        Assert.True(await store.AttachFeedAsync(channel.Id, b.Id, None));
        Assert.Equal([a.Id, b.Id], (await store.ListChannelFeedsAsync(channel.Id, None)).Select(f => f.Id));

        Assert.True(await store.DetachFeedAsync(channel.Id, a.Id, None));
        Assert.False(await store.DetachFeedAsync(channel.Id, a.Id, None));
        Assert.Equal([b], await store.ListChannelFeedsAsync(channel.Id, None));
    }

    [StoreFact]
    public async Task Deliverable_subscribers_are_the_active_unpaused_channels_reading_the_feed()
    {
        var store = await CreateSut();
        var now = Db.Time.GetUtcNow();
        var feed = await store.UpsertFeedAsync(Samples.Feed("a"), now, None);
        var other = await store.UpsertFeedAsync(Samples.Feed("b"), now, None);
        var ids = new List<long>();
        foreach (var name in new[] { "reader", "paused", "inactive", "other-feed" })
        {
            ids.Add((await store.EnsureChannelAsync(new(Core.Channels.Platforms.Discord, name), null, now, None)).Id);
        }

        await store.AttachFeedAsync(ids[0], feed.Id, None);
        await store.AttachFeedAsync(ids[1], feed.Id, None);
        await store.AttachFeedAsync(ids[2], feed.Id, None);
        await store.AttachFeedAsync(ids[3], other.Id, None);
        await store.SetChannelPausedAsync(ids[1], true, None);
        await store.SetChannelActiveAsync(ids[2], false, None);

        Assert.Equal([ids[0]], await store.ListDeliverableSubscribersAsync(feed.Id, None));

        await store.SetChannelPausedAsync(ids[1], false, None);
        Assert.Equal([ids[0], ids[1]], await store.ListDeliverableSubscribersAsync(feed.Id, None));
    }

    [StoreFact]
    public async Task Watch_terms_are_unique_per_channel_whatever_their_case_including_beyond_ascii()
    {
        var store = await CreateSut();
        var now = Db.Time.GetUtcNow();
        var one = await store.EnsureChannelAsync(Samples.Telegram, null, now, None);
        var two = await store.EnsureChannelAsync(Samples.Discord, null, now, None);

        Assert.True(await store.AddWatchTermAsync(one.Id, "Qaani", now, None));
        Assert.False(await store.AddWatchTermAsync(one.Id, "QAANI", now, None));
        Assert.False(await store.AddWatchTermAsync(one.Id, "  qaani ", now, None));
        Assert.True(await store.AddWatchTermAsync(one.Id, "Ärger", now, None));
        Assert.False(await store.AddWatchTermAsync(one.Id, "ärger", now, None));
        Assert.True(await store.AddWatchTermAsync(one.Id, "Хуситы", now, None));
        Assert.False(await store.AddWatchTermAsync(one.Id, "ХУСИТЫ", now, None));
        Assert.True(await store.AddWatchTermAsync(two.Id, "qaani", now.AddMinutes(1), None));

        var terms = await store.ListWatchTermsAsync(one.Id, None);
        Assert.Equal(["Qaani", "Ärger", "Хуситы"], terms.Select(t => t.Text));
        Assert.All(terms, t => Assert.Equal((one.Id, now), (t.ChannelId, t.CreatedAt)));
        Assert.Equal(
            [(one.Id, "Qaani"), (one.Id, "Ärger"), (one.Id, "Хуситы"), (two.Id, "qaani")],
            (await store.ListAllWatchTermsAsync(None)).Select(t => (t.ChannelId, t.Text)));
    }

    [StoreFact]
    public async Task Removing_a_term_matches_it_case_insensitively_and_reports_whether_it_existed()
    {
        var store = await CreateSut();
        var now = Db.Time.GetUtcNow();
        var channel = await store.EnsureChannelAsync(Samples.Telegram, null, now, None);
        await store.AddWatchTermAsync(channel.Id, "Ansar Allah", now, None);
        await store.AddWatchTermAsync(channel.Id, "Houthis", now, None);

        Assert.True(await store.RemoveWatchTermAsync(channel.Id, "ANSAR ALLAH", None));
        Assert.False(await store.RemoveWatchTermAsync(channel.Id, "Ansar Allah", None));
        Assert.Equal(["Houthis"], (await store.ListWatchTermsAsync(channel.Id, None)).Select(t => t.Text));
    }

    [StoreFact]
    public async Task The_watchlist_version_changes_on_every_real_add_or_remove_and_only_then()
    {
        var store = await CreateSut();
        var now = Db.Time.GetUtcNow();
        var channel = await store.EnsureChannelAsync(Samples.Telegram, null, now, None);
        var start = await store.GetWatchlistVersionAsync(None);

        await store.AddWatchTermAsync(channel.Id, "Qaani", now, None);
        var afterAdd = await store.GetWatchlistVersionAsync(None);
        await store.AddWatchTermAsync(channel.Id, "qaani", now, None);
        await store.RemoveWatchTermAsync(channel.Id, "Houthis", None);
        var afterNoops = await store.GetWatchlistVersionAsync(None);
        await store.RemoveWatchTermAsync(channel.Id, "QAANI", None);
        var afterRemove = await store.GetWatchlistVersionAsync(None);

        Assert.NotEqual(start, afterAdd);
        Assert.Equal(afterAdd, afterNoops);
        Assert.NotEqual(afterAdd, afterRemove);
        Assert.NotEqual(start, afterRemove);
    }

    [StoreFact]
    public async Task An_empty_term_is_refused()
    {
        var store = await CreateSut();
        var channel = await store.EnsureChannelAsync(Samples.Telegram, null, Db.Time.GetUtcNow(), None);

        await Assert.ThrowsAsync<ArgumentException>(() => store.AddWatchTermAsync(channel.Id, "   ", Db.Time.GetUtcNow(), None));
        Assert.Empty(await store.ListWatchTermsAsync(channel.Id, None));
    }
}

public sealed class SqliteSubscriptionAndWatchlistTests() : SubscriptionAndWatchlistTests(new SqliteTestDatabase());

public sealed class PostgresSubscriptionAndWatchlistTests() : SubscriptionAndWatchlistTests(new PostgresTestDatabase()), IUsesPostgres;
