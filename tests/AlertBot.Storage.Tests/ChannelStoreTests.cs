using AlertBot.Core.Channels;
using AlertBot.Core.Feeds;
using AlertBot.Core.Digests;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;

namespace AlertBot.Storage.Tests;

public abstract class ChannelStoreTests(TestDatabase db) : StoreTests(db)
{
    private Task<DapperAlertStore> CreateSut() => Db.NewMigratedStoreAsync();

    [StoreFact]
    public async Task Ensure_creates_an_active_unpaused_channel_once_and_updates_only_a_given_title()
    {
        var store = await CreateSut();
        var now = Db.Time.GetUtcNow();

        var created = await store.EnsureChannelAsync(Samples.Telegram, "Iraq desk", now, None);
        var again = await store.EnsureChannelAsync(Samples.Telegram, null, now.AddHours(1), None);
        var renamed = await store.EnsureChannelAsync(Samples.Telegram, "Iraq & Syria desk", now.AddHours(2), None);

        Assert.Equal(new Channel(created.Id, Samples.Telegram, "Iraq desk", true, false, now), created);
        Assert.Equal(created, again);
        Assert.Equal(created with { Title = "Iraq & Syria desk" }, renamed);
        Assert.Single(await store.ListChannelsAsync(None));
    }

    [StoreFact]
    public async Task The_platform_is_part_of_the_identity()
    {
        var store = await CreateSut();
        var now = Db.Time.GetUtcNow();

        var telegram = await store.EnsureChannelAsync(new ChannelRef(Platforms.Telegram, "42"), null, now, None);
        var discord = await store.EnsureChannelAsync(new ChannelRef(Platforms.Discord, "42"), null, now, None);

        Assert.NotEqual(telegram.Id, discord.Id);
        Assert.Equal(discord, await store.GetChannelAsync(new ChannelRef(Platforms.Discord, "42"), None));
        Assert.Equal(telegram, await store.GetChannelByIdAsync(telegram.Id, None));
        Assert.Null(await store.GetChannelAsync(new ChannelRef(Platforms.Console, "42"), None));
        Assert.Null(await store.GetChannelByIdAsync(discord.Id + 10, None));
        Assert.Equal([telegram.Id, discord.Id], (await store.ListChannelsAsync(None)).Select(c => c.Id));
    }

    [StoreFact]
    public async Task Active_and_paused_flags_are_stored()
    {
        var store = await CreateSut();
        var channel = await store.EnsureChannelAsync(Samples.Discord, null, Db.Time.GetUtcNow(), None);

        await store.SetChannelActiveAsync(channel.Id, false, None);
        await store.SetChannelPausedAsync(channel.Id, true, None);
        var changed = (await store.GetChannelByIdAsync(channel.Id, None))!;
        await store.SetChannelActiveAsync(channel.Id, true, None);
        await store.SetChannelPausedAsync(channel.Id, false, None);
        var restored = (await store.GetChannelByIdAsync(channel.Id, None))!;

        Assert.False(changed.Active);
        Assert.True(changed.Paused);
        Assert.Equal(channel, restored);
    }

    [StoreFact]
    public async Task A_moved_channel_keeps_its_id_feeds_terms_and_queued_alerts()
    {
        var (store, feedId, channelId) = await Samples.FeedAndChannelAsync(Db);
        var now = Db.Time.GetUtcNow();
        await store.AddWatchTermAsync(channelId, "Qaani", now, None);
        await store.CommitPollAsync(
            new PollCommit(feedId, ["item-1"], [new(channelId, "item-1", Samples.Message())], FeedValidators.None, now), None);
        var supergroup = new ChannelRef(Platforms.Telegram, "-1009999999999");

        await store.MoveChannelAsync(channelId, supergroup, None);

        Assert.Null(await store.GetChannelAsync(Samples.Telegram, None));
        var moved = (await store.GetChannelAsync(supergroup, None))!;
        Assert.Equal(channelId, moved.Id);
        Assert.Equal("Iraq desk", moved.Title);
        Assert.Equal([feedId], (await store.ListChannelFeedsAsync(channelId, None)).Select(f => f.Id));
        Assert.Equal(["Qaani"], (await store.ListWatchTermsAsync(channelId, None)).Select(t => t.Text));
        Assert.Equal(supergroup, (await store.ClaimDueAsync(now, 10, None)).Single().Channel);
    }

    [StoreFact]
    public async Task Moving_onto_a_chat_already_stored_folds_that_channel_into_the_moving_one()
    {
        var (store, feedId, channelId) = await Samples.FeedAndChannelAsync(Db);
        var now = Db.Time.GetUtcNow();
        var otherFeed = await store.UpsertFeedAsync(Samples.Feed("other"), now, None);
        var supergroupRef = new ChannelRef(Platforms.Telegram, "-1009999999999");
        var stray = await store.EnsureChannelAsync(supergroupRef, "Iraq desk (new)", now, None);
        await store.AttachFeedAsync(stray.Id, feedId, None);
        await store.AttachFeedAsync(stray.Id, otherFeed.Id, None);
        await store.AddWatchTermAsync(channelId, "Qaani", now, None);
        await store.AddWatchTermAsync(stray.Id, "QAANI", now, None);
        await store.AddWatchTermAsync(stray.Id, "Houthis", now, None);
        await store.CommitPollAsync(
            new PollCommit(
                feedId,
                ["shared", "own", "stray-only"],
                [new(channelId, "shared", Samples.Message("mine")), new(channelId, "own", Samples.Message()), new(stray.Id, "shared", Samples.Message("theirs")), new(stray.Id, "stray-only", Samples.Message())],
                FeedValidators.None,
                now),
            None);
        var version = await store.GetWatchlistVersionAsync(None);

        await store.MoveChannelAsync(channelId, supergroupRef, None);

        Assert.Null(await store.GetChannelByIdAsync(stray.Id, None));
        Assert.Equal(
            new Channel(channelId, supergroupRef, "Iraq desk", true, false, now),
            await store.GetChannelAsync(supergroupRef, None));
        Assert.Equal([feedId, otherFeed.Id], (await store.ListChannelFeedsAsync(channelId, None)).Select(f => f.Id));
        Assert.Equal(["Qaani", "Houthis"], (await store.ListAllWatchTermsAsync(None)).Select(t => t.Text));
        Assert.NotEqual(version, await store.GetWatchlistVersionAsync(None));
        var queue = await store.ClaimDueAsync(now, 10, None);
        Assert.Equal([("shared", "mine"), ("own", "Qaani visits Baghdad"), ("stray-only", "Qaani visits Baghdad")], queue.Select(e => (e.ItemKey, e.Message.Title)));
        Assert.All(queue, e => Assert.Equal((channelId, supergroupRef), (e.ChannelId, e.Channel)));
    }

    [StoreFact]
    public async Task A_moved_channel_keeps_its_priority_terms_digest_mode_and_pause()
    {
        var (store, _, channelId) = await Samples.FeedAndChannelAsync(Db);
        var stories = store;
        var now = Db.Time.GetUtcNow();
        await store.AddWatchTermAsync(channelId, "Qaani", now, None);
        await store.AddWatchTermAsync(channelId, "Houthis", now, None);
        await stories.SetTermPriorityAsync(channelId, "Qaani", true, None);
        await stories.SetDigestModeAsync(channelId, DigestMode.Daily, None);
        await store.SetChannelPausedAsync(channelId, true, None);
        var supergroup = new ChannelRef(Platforms.Telegram, "-1009999999999");

        await store.MoveChannelAsync(channelId, supergroup, None);

        var moved = (await store.GetChannelAsync(supergroup, None))!;
        Assert.Equal((channelId, true, true), (moved.Id, moved.Paused, moved.Active));
        Assert.Equal([new PriorityTerm(channelId, "Qaani")], await stories.ListPriorityTermsAsync([channelId], None));
        Assert.Equal(DigestMode.Daily, (await stories.GetDigestModesAsync([channelId], None))[channelId]);
    }

    [StoreFact]
    public async Task Folding_a_stray_channel_into_a_moving_one_keeps_the_moving_ones_settings_and_the_strays_priority_terms()
    {
        var (store, _, channelId) = await Samples.FeedAndChannelAsync(Db);
        var stories = store;
        var now = Db.Time.GetUtcNow();
        var supergroup = new ChannelRef(Platforms.Telegram, "-1009999999999");
        var stray = await store.EnsureChannelAsync(supergroup, null, now, None);
        await store.AddWatchTermAsync(channelId, "Qaani", now, None);
        await stories.SetTermPriorityAsync(channelId, "Qaani", true, None);
        await stories.SetDigestModeAsync(channelId, DigestMode.Hourly, None);
        await store.SetChannelPausedAsync(channelId, true, None);
        await store.AddWatchTermAsync(stray.Id, "Houthis", now, None);
        await store.AddWatchTermAsync(stray.Id, "Red Sea", now, None);
        await stories.SetTermPriorityAsync(stray.Id, "Houthis", true, None);

        await store.MoveChannelAsync(channelId, supergroup, None);

        var moved = (await store.GetChannelAsync(supergroup, None))!;
        Assert.Equal((channelId, true), (moved.Id, moved.Paused));
        Assert.Equal(
            ["Houthis", "Qaani"],
            (await stories.ListPriorityTermsAsync([channelId], None)).Select(t => t.Text).Order(StringComparer.Ordinal));
        Assert.Equal(["Qaani", "Houthis", "Red Sea"], (await store.ListWatchTermsAsync(channelId, None)).Select(t => t.Text));
        Assert.Equal(DigestMode.Hourly, (await stories.GetDigestModesAsync([channelId], None))[channelId]);
    }

    [StoreFact]
    public async Task Moving_a_channel_that_does_not_exist_changes_nothing()
    {
        var store = await CreateSut();
        var existing = await store.EnsureChannelAsync(Samples.Telegram, null, Db.Time.GetUtcNow(), None);

        await store.MoveChannelAsync(existing.Id + 1, Samples.Telegram, None);

        Assert.Equal([existing], await store.ListChannelsAsync(None));
    }
}

public sealed class SqliteChannelStoreTests() : ChannelStoreTests(new SqliteTestDatabase());

public sealed class PostgresChannelStoreTests() : ChannelStoreTests(new PostgresTestDatabase()), IUsesPostgres;
