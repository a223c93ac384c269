using AlertBot.Core.Alerts;
using AlertBot.Core.Digests;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;

namespace AlertBot.Storage.Tests;

/// <summary>
/// The SQLite side of stories and digests: story columns, update rows, held rows and digests in the outbox. SQLite
/// only: PostgreSQL does not implement <see cref="IStoryStore"/> yet.
/// </summary>
public sealed class SqliteStoryStoreTests() : StoreTests(new SqliteTestDatabase())
{
    private static readonly StoryFingerprint Story = new("https://news.example/a", "qaani visits baghdad", 0x0123456789abcdef);
    private DateTimeOffset T0 => Db.Time.GetUtcNow();

    private async Task<(Sqlite.SqliteAlertStore Store, long FeedId, long ChannelId)> CreateSut()
    {
        var (store, feedId, channelId) = await Samples.FeedAndChannelAsync(Db);
        return ((Sqlite.SqliteAlertStore)store, feedId, channelId);
    }

    private static Task<PollCommitResult> Commit(
        Sqlite.SqliteAlertStore store, long feedId, DateTimeOffset at, IReadOnlyList<NewAlert> alerts, params StoryUpdate[] updates) =>
        store.CommitPollAsync(
            new PollCommit(feedId, [.. alerts.Select(a => a.ItemKey), .. updates.Select(u => u.ItemKey)], alerts, FeedValidators.None, at) { Updates = updates },
            None);

    private static AlertMessage Also(params string[] outlets) =>
        Samples.Message() with { AlsoSources = [.. outlets.Select(o => new AlertSource(o, null))] };

    [Fact]
    public async Task A_story_alert_keeps_its_fingerprint_and_updates_edit_it_once_it_was_posted()
    {
        var (store, feedId, channel) = await CreateSut();
        await Commit(store, feedId, T0, [new NewAlert(channel, "k1", Samples.Message()) { Story = Story }]);

        var listed = Assert.Single(await store.ListStoryAlertsAsync([channel], T0.AddHours(-1), None));
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
        Assert.Equal(["B", "C"], Assert.Single(await store.ListStoryAlertsAsync([channel], T0.AddHours(-1), None)).Message.AlsoSources.Select(s => s.Name));
    }

    [Fact]
    public async Task An_update_for_the_same_link_from_another_feed_is_queued_beside_its_alert()
    {
        var (store, feedId, channel) = await CreateSut();
        await Commit(store, feedId, T0, [new NewAlert(channel, "url:https://news.example/a", Samples.Message()) { Story = Story }]);
        var original = Assert.Single(await store.ClaimDueAsync(T0, 10, None));
        await store.MarkDeliveredAsync(original.Id, T0, "555", None);

        await Commit(store, feedId, T0.AddMinutes(1), [], new StoryUpdate(original.Id, channel, "url:https://news.example/a", Also("B")));

        var update = Assert.Single(await store.ClaimDueAsync(T0.AddMinutes(1), 10, None));
        Assert.Equal(OutboxKind.Update, update.Kind);
        Assert.Equal(["B"], update.Message.AlsoSources.Select(s => s.Name));
    }

    [Fact]
    public async Task Held_rows_are_neither_claimed_nor_counted_until_their_digest_is_built()
    {
        var (store, feedId, channel) = await CreateSut();
        var until = T0.AddHours(1);
        await store.SetDigestModeAsync(channel, DigestMode.Hourly, None);
        await Commit(store, feedId, T0, [new NewAlert(channel, "k1", Samples.Message("One")) { Story = Story, HoldUntil = until }]);
        var held = Assert.Single(await store.ListStoryAlertsAsync([channel], T0.AddHours(-1), None));

        // Joining a held story changes the held row and queues nothing.
        await Commit(store, feedId, T0.AddMinutes(1), [], new StoryUpdate(held.OutboxId, channel, "k2", Also("B") with { Title = "One" }));

        Assert.Equal(DigestMode.Hourly, (await store.GetDigestModesAsync([channel], None))[channel]);
        Assert.Empty(await store.ClaimDueAsync(until.AddHours(5), 10, None));
        Assert.Equal(0, (await store.GetOutboxStatsAsync(channel, None)).Pending);
        Assert.Empty(await store.ListDueHeldAsync(until.AddSeconds(-1), None));

        var due = Assert.Single(await store.ListDueHeldAsync(until, None));
        Assert.Equal(["B"], due.Message.AlsoSources.Select(s => s.Name));
        Assert.True(await store.CommitDigestAsync(DigestBuilder.Build(channel, until, [due], 30), [due.OutboxId], until, None));

        Assert.Empty(await store.ListDueHeldAsync(until, None));
        var digest = Assert.Single(await store.ClaimDueAsync(until, 10, None));
        Assert.Equal(OutboxKind.Digest, digest.Kind);
        Assert.Equal("One", Assert.Single(digest.Message.Digest).Title);
    }

    [Fact]
    public async Task Priority_is_set_per_channel_term_case_insensitively()
    {
        var (store, _, channel) = await CreateSut();
        await store.AddWatchTermAsync(channel, "Qaani", T0, None);

        Assert.True(await store.SetTermPriorityAsync(channel, "QAANI", true, None));
        Assert.False(await store.SetTermPriorityAsync(channel, "Houthis", true, None));
        Assert.Equal([new PriorityTerm(channel, "Qaani")], await store.ListPriorityTermsAsync([channel], None));

        Assert.True(await store.SetTermPriorityAsync(channel, "qaani", false, None));
        Assert.Empty(await store.ListPriorityTermsAsync([channel], None));
    }
}
