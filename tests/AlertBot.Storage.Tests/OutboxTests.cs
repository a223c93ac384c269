using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;

namespace AlertBot.Storage.Tests;

public abstract class OutboxTests(TestDatabase db) : StoreTests(db)
{
    private readonly DateTimeOffset _t0 = db.Time.GetUtcNow();

    private Task<(DapperAlertStore Store, long FeedId, long ChannelId)> CreateSut() => Samples.FeedAndChannelAsync(Db);

    private static Task<PollCommitResult> Enqueue(DapperAlertStore store, long feedId, DateTimeOffset at, params (long Channel, string Key)[] alerts) =>
        store.CommitPollAsync(
            new PollCommit(feedId, alerts.Select(a => a.Key).ToList(), alerts.Select(a => new NewAlert(a.Channel, a.Key, Samples.Message(a.Key))).ToList(), FeedValidators.None, at),
            None);

    [StoreFact]
    public async Task Due_entries_come_oldest_first_up_to_the_limit_with_their_channel()
    {
        var (store, feedId, a) = await CreateSut();
        var b = (await store.EnsureChannelAsync(Samples.Discord, null, _t0, None)).Id;
        await Enqueue(store, feedId, _t0.AddSeconds(2), (a, "a2"), (b, "b2"));
        await Enqueue(store, feedId, _t0.AddSeconds(1), (b, "b1"));
        await Enqueue(store, feedId, _t0.AddSeconds(3), (a, "a3"));

        var all = await store.ClaimDueAsync(_t0.AddSeconds(3), 10, None);
        var firstTwo = await store.ClaimDueAsync(_t0.AddSeconds(3), 2, None);
        var notYet = await store.ClaimDueAsync(_t0.AddSeconds(2), 10, None);

        Assert.Equal(["b1", "a2", "b2", "a3"], all.Select(e => e.ItemKey));
        Assert.Equal(["b1", "a2"], firstTwo.Select(e => e.ItemKey));
        Assert.Equal(["b1", "a2", "b2"], notYet.Select(e => e.ItemKey));
        Assert.Empty(await store.ClaimDueAsync(_t0.AddSeconds(3), 0, None));

        var entry = all[0];
        Assert.Equal((b, Samples.Discord, 0, _t0.AddSeconds(1), _t0.AddSeconds(1)), (entry.ChannelId, entry.Channel, entry.Attempts, entry.CreatedAt, entry.NextAttemptAt));
        Assert.Equal(Samples.Telegram, all[1].Channel);
        Assert.Equal($"alert-{entry.Id}", entry.IdempotencyKey);
    }

    [StoreFact]
    public async Task Enqueued_notices_follow_the_outbox_rules_without_touching_the_feed()
    {
        var (store, feedId, a) = await CreateSut();
        await Enqueue(store, feedId, _t0, (a, "item"));
        var feed = (await store.GetFeedAsync(feedId, None))!;

        var written = await store.EnqueueAsync(
            [new(a, "notice:feed-paused", Samples.Message("paused")), new(a, "item", Samples.Message("dup")), new(a, "notice:feed-paused", Samples.Message("twin"))],
            _t0.AddSeconds(1),
            None);

        Assert.Equal(1, written);
        Assert.Equal(0, await store.EnqueueAsync([], _t0, None));
        var queue = await store.ClaimDueAsync(_t0.AddSeconds(1), 10, None);
        Assert.Equal([("item", "item"), ("notice:feed-paused", "paused")], queue.Select(e => (e.ItemKey, e.Message.Title)));
        Assert.Equal(_t0.AddSeconds(1), queue[1].CreatedAt);
        Assert.Equal(feed, await store.GetFeedAsync(feedId, None));
        Assert.Empty(await store.FindSeenAsync(feedId, ["notice:feed-paused"], None));
    }

    [StoreFact]
    public async Task An_entry_waiting_for_a_retry_holds_back_its_channels_later_entries_but_not_other_channels()
    {
        var (store, feedId, a) = await CreateSut();
        var b = (await store.EnsureChannelAsync(Samples.Discord, null, _t0, None)).Id;
        await Enqueue(store, feedId, _t0, (a, "a1"), (a, "a2"), (b, "b1"));
        var a1 = (await store.ClaimDueAsync(_t0, 10, None))[0];

        await store.MarkAttemptFailedAsync(a1.Id, "429 Too Many Requests", _t0.AddSeconds(30), None);

        Assert.Equal(["b1"], (await store.ClaimDueAsync(_t0.AddSeconds(10), 10, None)).Select(e => e.ItemKey));
        var retried = await store.ClaimDueAsync(_t0.AddSeconds(30), 10, None);
        Assert.Equal(["a1", "a2", "b1"], retried.Select(e => e.ItemKey));
        Assert.Equal((1, _t0.AddSeconds(30)), (retried[0].Attempts, retried[0].NextAttemptAt));
        Assert.Equal(
            "429 Too Many Requests",
            (await Db.QueryAsync<string>("SELECT last_error FROM outbox WHERE id = @Id", new { a1.Id })).Single());
    }

    [StoreFact]
    public async Task A_later_entry_retrying_does_not_hold_back_older_ones()
    {
        var (store, feedId, a) = await CreateSut();
        await Enqueue(store, feedId, _t0, (a, "a1"));
        await Enqueue(store, feedId, _t0.AddSeconds(1), (a, "a2"));
        var a2 = (await store.ClaimDueAsync(_t0.AddSeconds(1), 10, None))[1];
        await store.MarkAttemptFailedAsync(a2.Id, "timeout", _t0.AddMinutes(1), None);

        Assert.Equal(["a1"], (await store.ClaimDueAsync(_t0.AddSeconds(2), 10, None)).Select(e => e.ItemKey));
    }

    [StoreFact]
    public async Task Entries_of_inactive_channels_are_not_claimed()
    {
        var (store, feedId, a) = await CreateSut();
        var b = (await store.EnsureChannelAsync(Samples.Discord, null, _t0, None)).Id;
        await Enqueue(store, feedId, _t0, (a, "a1"), (b, "b1"));

        await store.SetChannelActiveAsync(a, false, None);
        Assert.Equal(["b1"], (await store.ClaimDueAsync(_t0, 10, None)).Select(e => e.ItemKey));

        await store.SetChannelActiveAsync(a, true, None);
        Assert.Equal(["a1", "b1"], (await store.ClaimDueAsync(_t0, 10, None)).Select(e => e.ItemKey));
    }

    [StoreFact]
    public async Task Delivered_entries_leave_the_queue_and_show_in_the_stats()
    {
        var (store, feedId, a) = await CreateSut();
        await Enqueue(store, feedId, _t0, (a, "a1"), (a, "a2"));
        var a1 = (await store.ClaimDueAsync(_t0, 10, None))[0];

        await store.MarkDeliveredAsync(a1.Id, _t0.AddSeconds(3), "msg-77", None);

        Assert.Equal(["a2"], (await store.ClaimDueAsync(_t0.AddSeconds(3), 10, None)).Select(e => e.ItemKey));
        Assert.Equal(new OutboxStats(1, _t0, _t0.AddSeconds(3), 0), await store.GetOutboxStatsAsync(a, None));
        Assert.Equal(
            ("delivered", "msg-77"),
            (await Db.QueryAsync<(string, string)>("SELECT status, platform_message_id FROM outbox WHERE id = @Id", new { a1.Id })).Single());
    }

    [StoreFact]
    public async Task A_gone_channels_pending_entries_are_closed_counted_and_never_claimed()
    {
        var (store, feedId, a) = await CreateSut();
        var b = (await store.EnsureChannelAsync(Samples.Discord, null, _t0, None)).Id;
        await Enqueue(store, feedId, _t0, (a, "a1"), (a, "a2"), (a, "a3"), (b, "b1"));
        await store.MarkDeliveredAsync((await store.ClaimDueAsync(_t0, 1, None))[0].Id, _t0, null, None);

        var closed = await store.MarkChannelUndeliverableAsync(a, "Forbidden: bot was kicked", _t0.AddMinutes(1), None);

        Assert.Equal(2, closed);
        Assert.Equal(0, await store.MarkChannelUndeliverableAsync(a, "again", _t0.AddMinutes(2), None));
        Assert.Equal(["b1"], (await store.ClaimDueAsync(_t0.AddMinutes(1), 10, None)).Select(e => e.ItemKey));
        Assert.Equal(new OutboxStats(0, null, _t0, 2), await store.GetOutboxStatsAsync(a, None));
        Assert.Equal(new OutboxStats(1, _t0, _t0, 2), await store.GetOutboxStatsAsync(null, None));
        Assert.Equal(new OutboxStats(1, _t0, null, 0), await store.GetOutboxStatsAsync(b, None));
        Assert.Equal(
            ["Forbidden: bot was kicked", "Forbidden: bot was kicked"],
            await Db.QueryAsync<string>("SELECT last_error FROM outbox WHERE status = 'undeliverable'"));
    }

    [StoreFact]
    public async Task A_parked_entry_lets_its_channels_later_entries_go_and_is_listed_until_requeued_in_its_old_place()
    {
        var (store, feedId, a) = await CreateSut();
        await Enqueue(store, feedId, _t0, (a, "a1"), (a, "a2"));
        var a1 = (await store.ClaimDueAsync(_t0, 10, None))[0];
        await store.MarkAttemptFailedAsync(a1.Id, "Telegram 400: Bad Request", _t0.AddMinutes(5), None);

        Assert.True(await store.ParkAsync(a1.Id, "Telegram 400: Bad Request: can't parse entities", _t0.AddMinutes(5), None));

        Assert.False(await store.ParkAsync(a1.Id, "again", _t0.AddMinutes(6), None));
        Assert.Equal(["a2"], (await store.ClaimDueAsync(_t0.AddMinutes(5), 10, None)).Select(e => e.ItemKey));
        var parked = Assert.Single(await store.ListParkedAsync(None));
        Assert.Equal(
            new ParkedAlert(a1.Id, Samples.Telegram, "a1", "a1", Samples.Message().Link, 2, "Telegram 400: Bad Request: can't parse entities", _t0, _t0.AddMinutes(5)),
            parked);
        Assert.Equal(new OutboxStats(1, _t0, null, 1), await store.GetOutboxStatsAsync(a, None));

        // A gone channel's rows are closed too, but they are not parked: nothing to re-queue there.
        var b = (await store.EnsureChannelAsync(Samples.Discord, null, _t0, None)).Id;
        await Enqueue(store, feedId, _t0, (b, "b1"));
        await store.MarkChannelUndeliverableAsync(b, "gone", _t0, None);
        Assert.Equal(0, await store.RequeueParkedAsync(a1.Id + 1000, _t0.AddMinutes(10), None));

        Assert.Equal(1, await store.RequeueParkedAsync(a1.Id, _t0.AddMinutes(10), None));

        Assert.Empty(await store.ListParkedAsync(None));
        var queue = await store.ClaimDueAsync(_t0.AddMinutes(10), 10, None);
        Assert.Equal(["a1", "a2"], queue.Select(e => e.ItemKey));
        Assert.Equal((0, _t0.AddMinutes(10)), (queue[0].Attempts, queue[0].NextAttemptAt));
        Assert.Equal(0, await store.RequeueParkedAsync(null, _t0.AddMinutes(11), None));
    }

    [StoreFact]
    public async Task Requeue_all_puts_back_every_parked_entry_and_nothing_else()
    {
        var (store, feedId, a) = await CreateSut();
        await Enqueue(store, feedId, _t0, (a, "a1"), (a, "a2"), (a, "a3"));
        var queue = await store.ClaimDueAsync(_t0, 10, None);
        await store.ParkAsync(queue[0].Id, "refused", _t0, None);
        await store.ParkAsync(queue[2].Id, "refused", _t0.AddSeconds(1), None);
        await store.MarkDeliveredAsync(queue[1].Id, _t0, "m2", None);

        Assert.Equal(["a1", "a3"], (await store.ListParkedAsync(None)).Select(p => p.ItemKey));
        Assert.Equal(2, await store.RequeueParkedAsync(null, _t0.AddMinutes(1), None));

        Assert.Equal(["a1", "a3"], (await store.ClaimDueAsync(_t0.AddMinutes(1), 10, None)).Select(e => e.ItemKey));
        Assert.Equal(new OutboxStats(2, _t0, _t0, 0), await store.GetOutboxStatsAsync(a, None));
    }

    [StoreFact]
    public async Task A_failed_attempt_on_an_entry_already_closed_does_not_reopen_it()
    {
        var (store, feedId, a) = await CreateSut();
        await Enqueue(store, feedId, _t0, (a, "a1"));
        var a1 = (await store.ClaimDueAsync(_t0, 1, None))[0];
        await store.MarkChannelUndeliverableAsync(a, "gone", _t0, None);

        await store.MarkAttemptFailedAsync(a1.Id, "late failure", _t0.AddSeconds(5), None);

        Assert.Empty(await store.ClaimDueAsync(_t0.AddDays(1), 10, None));
        Assert.Equal(new OutboxStats(0, null, null, 1), await store.GetOutboxStatsAsync(a, None));
        Assert.Equal(
            ("undeliverable", "gone", 0L),
            (await Db.QueryAsync<(string, string, long)>("SELECT status, last_error, attempts FROM outbox WHERE id = @Id", new { a1.Id })).Single());
    }

    [StoreFact]
    public async Task The_alert_payload_round_trips_every_field()
    {
        var (store, feedId, a) = await CreateSut();
        var message = Samples.Message("«Qa'ani» \"visits\" Baghdad — 🚨 \\ </script>");
        await store.CommitPollAsync(new PollCommit(feedId, ["k"], [new(a, "k", message)], FeedValidators.None, _t0), None);

        var stored = (await store.ClaimDueAsync(_t0, 1, None)).Single().Message;

        Assert.Equal(message.Title, stored.Title);
        Assert.Equal(message.Link, stored.Link);
        Assert.Equal(message.Source, stored.Source);
        Assert.Equal(message.PublishedAt, stored.PublishedAt);
        Assert.Equal(message.PublishedAt!.Value.Offset, stored.PublishedAt!.Value.Offset);
        Assert.Equal(message.Sentences, stored.Sentences);
        Assert.Equal(message.Matches, stored.Matches);
    }

    [StoreFact]
    public async Task A_payload_with_only_the_required_fields_round_trips()
    {
        var (store, feedId, a) = await CreateSut();
        var message = new Core.Summaries.AlertMessage { Title = "t", Source = "s" };
        await store.CommitPollAsync(new PollCommit(feedId, ["k"], [new(a, "k", message)], FeedValidators.None, _t0), None);

        var stored = (await store.ClaimDueAsync(_t0, 1, None)).Single().Message;

        Assert.Equal((message.Title, message.Source, message.Link, message.PublishedAt), (stored.Title, stored.Source, stored.Link, stored.PublishedAt));
        Assert.Empty(stored.Sentences);
        Assert.Empty(stored.Matches);
    }

    [StoreFact]
    public async Task An_unreadable_payload_is_closed_instead_of_blocking_its_channel()
    {
        var (store, feedId, a) = await CreateSut();
        await Enqueue(store, feedId, _t0, (a, "bad"), (a, "good"));
        await Db.ExecuteAsync("UPDATE outbox SET payload = '{\"title\": 5}' WHERE item_key = 'bad'");

        Assert.Equal(["good"], (await store.ClaimDueAsync(_t0, 10, None)).Select(e => e.ItemKey));
        Assert.Equal(["good"], (await store.ClaimDueAsync(_t0, 10, None)).Select(e => e.ItemKey));
        Assert.Equal(1, (await store.GetOutboxStatsAsync(a, None)).Undeliverable);
    }
}

public sealed class SqliteOutboxTests() : OutboxTests(new SqliteTestDatabase());

public sealed class PostgresOutboxTests() : OutboxTests(new PostgresTestDatabase()), IUsesPostgres;
