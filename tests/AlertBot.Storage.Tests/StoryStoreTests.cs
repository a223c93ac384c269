using AlertBot.Core.Alerts;
using AlertBot.Core.Digests;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;

namespace AlertBot.Storage.Tests;

/// <summary>
/// The store side of stories and digests: story columns, update rows, held rows and digests in the outbox.
/// </summary>
public abstract class StoryStoreTests(TestDatabase db) : StoreTests(db)
{
    protected static readonly StoryFingerprint Story = new("https://news.example/a", "qaani visits baghdad", 0x0123456789abcdef);
    private DateTimeOffset T0 => Db.Time.GetUtcNow();

    /// <summary>The store and its story side: every provider's store keeps stories, and this fails if one stops.</summary>
    private async Task<(DapperAlertStore Store, IStoryStore Stories, long FeedId, long ChannelId)> CreateSut()
    {
        var (store, feedId, channelId) = await Samples.FeedAndChannelAsync(Db);
        return (store, Assert.IsAssignableFrom<IStoryStore>(store), feedId, channelId);
    }

    protected static Task<PollCommitResult> Commit(
        DapperAlertStore store, long feedId, DateTimeOffset at, IReadOnlyList<NewAlert> alerts, params StoryUpdate[] updates) =>
        store.CommitPollAsync(
            new PollCommit(feedId, [.. alerts.Select(a => a.ItemKey), .. updates.Select(u => u.ItemKey)], alerts, FeedValidators.None, at) { Updates = updates },
            None);

    protected static AlertMessage Also(params string[] outlets) =>
        Samples.Message() with { AlsoSources = [.. outlets.Select(o => new AlertSource(o, null))] };

    [StoreFact]
    public async Task A_story_alert_keeps_its_fingerprint_and_updates_edit_it_once_it_was_posted()
    {
        var (store, stories, feedId, channel) = await CreateSut();
        await Commit(store, feedId, T0, [new NewAlert(channel, "k1", Samples.Message()) { Story = Story }]);

        var listed = Assert.Single(await stories.ListStoryAlertsAsync([channel], T0.AddHours(-1), None));
        Assert.Equal(Story, listed.Story);
        Assert.False(listed.Held);
        var original = Assert.Single(await store.ClaimDueAsync(T0, 10, None));
        await store.MarkDeliveredAsync(original.Id, T0, "555", None);

        await Commit(store, feedId, T0.AddMinutes(1), [], new StoryUpdate(listed.OutboxId, channel, "k2", Also("B")));
        await Commit(store, feedId, T0.AddMinutes(2), [], new StoryUpdate(listed.OutboxId, channel, "k3", Also("B", "C")));

        // The second update supersedes the first: one edit carries both outlets, and knows the posted message.
        var update = Assert.Single(await store.ClaimDueAsync(T0.AddMinutes(2), 10, None));
        Assert.Equal(OutboxKind.Update, update.Kind);
        Assert.Equal(original.Id, update.RefersTo);
        Assert.Equal("555", update.RefersToMessageId);
        Assert.Equal(["B", "C"], update.Message.AlsoSources.Select(s => s.Name));
        Assert.Equal(["B", "C"], Assert.Single(await stories.ListStoryAlertsAsync([channel], T0.AddHours(-1), None)).Message.AlsoSources.Select(s => s.Name));
    }

    [StoreFact]
    public async Task An_update_for_the_same_link_from_another_feed_is_queued_beside_its_alert()
    {
        var (store, _, feedId, channel) = await CreateSut();
        await Commit(store, feedId, T0, [new NewAlert(channel, "url:https://news.example/a", Samples.Message()) { Story = Story }]);
        var original = Assert.Single(await store.ClaimDueAsync(T0, 10, None));
        await store.MarkDeliveredAsync(original.Id, T0, "555", None);

        await Commit(store, feedId, T0.AddMinutes(1), [], new StoryUpdate(original.Id, channel, "url:https://news.example/a", Also("B")));

        var update = Assert.Single(await store.ClaimDueAsync(T0.AddMinutes(1), 10, None));
        Assert.Equal(OutboxKind.Update, update.Kind);
        Assert.Equal(["B"], update.Message.AlsoSources.Select(s => s.Name));
    }

    [StoreFact]
    public async Task Held_rows_are_neither_claimed_nor_counted_until_their_digest_is_built()
    {
        var (store, stories, feedId, channel) = await CreateSut();
        var until = T0.AddHours(1);
        await stories.SetDigestModeAsync(channel, DigestMode.Hourly, None);
        await Commit(store, feedId, T0, [new NewAlert(channel, "k1", Samples.Message("One")) { Story = Story, HoldUntil = until }]);
        var held = Assert.Single(await stories.ListStoryAlertsAsync([channel], T0.AddHours(-1), None));

        // Joining a held story changes the held row and queues nothing.
        await Commit(store, feedId, T0.AddMinutes(1), [], new StoryUpdate(held.OutboxId, channel, "k2", Also("B") with { Title = "One" }));

        Assert.Equal(DigestMode.Hourly, (await stories.GetDigestModesAsync([channel], None))[channel]);
        Assert.Empty(await store.ClaimDueAsync(until.AddHours(5), 10, None));
        Assert.Equal(0, (await store.GetOutboxStatsAsync(channel, None)).Pending);
        Assert.Empty(await stories.ListDueHeldAsync(until.AddSeconds(-1), None));

        var due = Assert.Single(await stories.ListDueHeldAsync(until, None));
        Assert.Equal(["B"], due.Message.AlsoSources.Select(s => s.Name));
        Assert.True(await stories.CommitDigestAsync(DigestBuilder.Build(channel, until, [due], 30), [due.OutboxId], until, None));
        Assert.False(await stories.CommitDigestAsync(DigestBuilder.Build(channel, until, [due], 30), [due.OutboxId], until, None));

        Assert.Empty(await stories.ListDueHeldAsync(until, None));
        var digest = Assert.Single(await store.ClaimDueAsync(until, 10, None));
        Assert.Equal(OutboxKind.Digest, digest.Kind);
        Assert.Equal("One", Assert.Single(digest.Message.Digest).Title);
    }

    [StoreFact]
    public async Task A_held_row_neither_holds_back_the_alerts_after_it_nor_counts_as_their_oldest()
    {
        var (store, _, feedId, channel) = await CreateSut();
        await Commit(store, feedId, T0, [new NewAlert(channel, "held", Samples.Message("Held")) { Story = Story, HoldUntil = T0.AddHours(1) }]);
        await Commit(store, feedId, T0.AddMinutes(1), [new NewAlert(channel, "priority", Samples.Message("Priority"))]);

        var stats = await store.GetOutboxStatsAsync(channel, None);
        var claimed = Assert.Single(await store.ClaimDueAsync(T0.AddMinutes(1), 10, None));

        Assert.Equal((1, T0.AddMinutes(1)), (stats.Pending, stats.OldestPendingAt));
        Assert.Equal(("priority", OutboxKind.Alert), (claimed.ItemKey, claimed.Kind));
    }

    [StoreFact]
    public async Task An_update_of_an_undeliverable_or_unknown_alert_changes_nothing()
    {
        var (store, stories, feedId, channel) = await CreateSut();
        await Commit(store, feedId, T0, [new NewAlert(channel, "k1", Samples.Message()) { Story = Story }]);
        var original = Assert.Single(await store.ClaimDueAsync(T0, 10, None));
        await store.MarkChannelUndeliverableAsync(channel, "chat gone", T0, None);

        await Commit(
            store,
            feedId,
            T0.AddMinutes(1),
            [],
            new StoryUpdate(original.Id, channel, "k2", Also("B")),
            new StoryUpdate(original.Id + 1000, channel, "k3", Also("C")));

        Assert.Empty(await store.ClaimDueAsync(T0.AddMinutes(1), 10, None));
        Assert.Empty(await stories.ListStoryAlertsAsync([channel], T0.AddHours(-1), None));
        Assert.Equal((0, 1), ((await store.GetOutboxStatsAsync(channel, None)).Pending, (await store.GetOutboxStatsAsync(channel, None)).Undeliverable));
    }

    [StoreFact]
    public async Task Priority_is_set_per_channel_term_case_insensitively()
    {
        var (store, stories, _, channel) = await CreateSut();
        await store.AddWatchTermAsync(channel, "Qaani", T0, None);

        Assert.True(await stories.SetTermPriorityAsync(channel, "QAANI", true, None));
        Assert.False(await stories.SetTermPriorityAsync(channel, "Houthis", true, None));
        Assert.Equal([new PriorityTerm(channel, "Qaani")], await stories.ListPriorityTermsAsync([channel], None));

        Assert.True(await stories.SetTermPriorityAsync(channel, "qaani", false, None));
        Assert.Empty(await stories.ListPriorityTermsAsync([channel], None));
    }

    [StoreFact]
    public async Task Story_candidates_are_the_channel_s_alerts_with_the_link_the_title_or_a_near_hash_in_the_window()
    {
        var (store, stories, feedId, channel) = await CreateSut();
        var other = (await store.EnsureChannelAsync(Samples.Discord, "Other desk", T0, None)).Id;
        const long Hash = 0x0123456789abcdef;
        var byLink = new StoryFingerprint("https://a.example/1", "first story title here", 0x7000000000000000);
        var byTitle = new StoryFingerprint("https://b.example/2", "qaani visits baghdad militia leaders", 0x0f0f0f0f0f0f0f0f);
        var near = new StoryFingerprint("https://c.example/3", "a different headline entirely", Hash ^ 0b1011_0000_0001); // 4 bits away
        var far = new StoryFingerprint("https://d.example/4", "unrelated", Hash ^ 0x00ff00ff00ff0000); // 32 bits away
        var unhashed = new StoryFingerprint("https://e.example/5", "short", StoryText.NoHash);
        await Commit(store, feedId, T0.AddHours(-3), [new NewAlert(channel, "old", Samples.Message()) { Story = byLink with { Url = "https://a.example/old" } }]);
        await Commit(store, feedId, T0, [
            new NewAlert(channel, "k1", Samples.Message("link")) { Story = byLink },
            new NewAlert(channel, "k2", Samples.Message("title")) { Story = byTitle },
            new NewAlert(channel, "k3", Samples.Message("near")) { Story = near },
            new NewAlert(channel, "k4", Samples.Message("far")) { Story = far },
            new NewAlert(channel, "k5", Samples.Message("unhashed")) { Story = unhashed },
            new NewAlert(other, "k1", Samples.Message("other channel")) { Story = byLink },
            new NewAlert(channel, "plain", Samples.Message("no story")),
        ]);

        var probe = new StoryFingerprint(byLink.Url, byTitle.TitleKey, Hash);
        var found = await stories.FindStoryAlertsAsync([new StoryProbe(channel, probe)], T0.AddHours(-1), maxDistance: 12, None);
        Assert.Equal(["link", "title", "near"], found.Select(f => f.Message.Title));
        Assert.All(found, f => Assert.Equal(channel, f.ChannelId));

        // The window, the distance bound and an unhashed probe are honoured; the other channel's probe finds its own.
        Assert.Equal(["link", "title"], (await stories.FindStoryAlertsAsync(
            [new StoryProbe(channel, probe with { SimHash = StoryText.NoHash })], T0.AddHours(-1), 12, None)).Select(f => f.Message.Title));
        Assert.Equal(["link", "title"], (await stories.FindStoryAlertsAsync(
            [new StoryProbe(channel, probe)], T0.AddHours(-1), maxDistance: 3, None)).Select(f => f.Message.Title));
        Assert.Equal(["other channel"], (await stories.FindStoryAlertsAsync(
            [new StoryProbe(other, probe)], T0.AddHours(-1), 12, None)).Select(f => f.Message.Title));
        Assert.Empty(await stories.FindStoryAlertsAsync(
            [new StoryProbe(channel, new StoryFingerprint(null, "", ~Hash))], T0.AddHours(-1), 12, None));
        var oldLink = new StoryFingerprint("https://a.example/old", "x", StoryText.NoHash);
        Assert.Empty(await stories.FindStoryAlertsAsync([new StoryProbe(channel, oldLink)], T0.AddHours(-1), 12, None));
        Assert.Single(await stories.FindStoryAlertsAsync([new StoryProbe(channel, oldLink)], T0.AddHours(-4), 12, None));
    }
}

public sealed class SqliteStoryStoreTests() : StoryStoreTests(new SqliteTestDatabase());

public sealed class PostgresStoryStoreTests() : StoryStoreTests(new PostgresTestDatabase()), IUsesPostgres
{
    private PostgresTestDatabase Pg => (PostgresTestDatabase)Db;

    [StoreFact]
    public async Task A_channel_s_story_lock_held_by_one_instance_makes_another_wait_and_leaves_other_channels_free()
    {
        var (_, _, channel) = await Samples.FeedAndChannelAsync(Db);
        var (a, b) = (Pg.NewInstance("a"), Pg.NewInstance("b"));
        var held = await a.LockStoriesAsync([channel, channel + 1], None);

        // Another channel is free at once; the held one waits on the server until the holder lets go.
        await (await b.LockStoriesAsync([channel + 2], None)).DisposeAsync();
        var waiting = b.LockStoriesAsync([channel], None);
        while ((await Db.QueryAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))[0] == 0)
        {
            Assert.False(waiting.IsCompleted, "the second instance took a channel the first one holds");
            await Task.Delay(10);
        }

        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();
        await (await waiting.WaitAsync(TimeSpan.FromSeconds(30))).DisposeAsync();
    }

    [StoreFact]
    public async Task An_update_waits_for_the_instance_delivering_its_channel_and_then_knows_the_posted_message()
    {
        var (store, feedId, channel) = await Samples.FeedAndChannelAsync(Db);
        var (a, b) = (Pg.NewInstance("a"), Pg.NewInstance("b"));
        var now = Db.Time.GetUtcNow();
        await Commit(store, feedId, now, [new NewAlert(channel, "k1", Samples.Message()) { Story = Story }]);
        var original = Assert.Single(await a.ClaimDueAsync(now, 10, None));

        await Commit(store, feedId, now, [], new StoryUpdate(original.Id, channel, "k2", Also("B")));

        Assert.Empty(await b.ClaimDueAsync(now, 10, None));
        await a.MarkDeliveredAsync(original.Id, now, "555", None);
        var update = Assert.Single(await b.ClaimDueAsync(now, 10, None));
        Assert.Equal((OutboxKind.Update, original.Id, "555"), (update.Kind, update.RefersTo, update.RefersToMessageId));
        Assert.Equal(["B"], update.Message.AlsoSources.Select(s => s.Name));
    }
}
