using System.Collections.Concurrent;
using AlertBot.Core.Channels;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using AlertBot.Storage.Postgres;

namespace AlertBot.Storage.Tests;

/// <summary>Several AlertBot instances (stores with their own instance ids) draining one PostgreSQL outbox.</summary>
public sealed class PostgresOutboxClaimTests() : StoreTests(new PostgresTestDatabase()), IUsesPostgres
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private PostgresTestDatabase Pg => (PostgresTestDatabase)Db;

    private DateTimeOffset T0 => Db.Time.GetUtcNow();

    /// <summary>Two instances on a migrated database with one feed and <paramref name="channels"/> Discord channels.</summary>
    private async Task<(PostgresAlertStore A, PostgresAlertStore B, long FeedId, long[] Channels)> CreateSut(int channels = 2)
    {
        var a = Pg.NewInstance("instance-a", Lease);
        await a.MigrateAsync(None);
        var b = Pg.NewInstance("instance-b", Lease);
        var feed = await a.UpsertFeedAsync(Samples.Feed(), T0, None);
        var ids = new long[channels];
        for (var i = 0; i < channels; i++)
        {
            ids[i] = (await a.EnsureChannelAsync(new ChannelRef(Platforms.Discord, $"channel-{i}"), null, T0, None)).Id;
        }

        return (a, b, feed.Id, ids);
    }

    private Task<PollCommitResult> Enqueue(PostgresAlertStore store, long feedId, params (long Channel, string Key)[] alerts) =>
        store.CommitPollAsync(
            new PollCommit(feedId, alerts.Select(a => a.Key).ToList(), alerts.Select(a => new NewAlert(a.Channel, a.Key, Samples.Message(a.Key))).ToList(), FeedValidators.None, T0),
            None);

    [StoreFact]
    public async Task A_channel_claimed_by_one_instance_is_not_given_to_another_until_its_claims_end()
    {
        var (a, b, feedId, ch) = await CreateSut();
        await Enqueue(a, feedId, (ch[0], "x1"), (ch[0], "x2"), (ch[1], "y1"));

        var byA = await a.ClaimDueAsync(T0, 1, None);
        var byB = await b.ClaimDueAsync(T0, 10, None);

        Assert.Equal(["x1"], byA.Select(e => e.ItemKey));
        Assert.Equal(["y1"], byB.Select(e => e.ItemKey));
        // Each instance gets its own claims back (as on SQLite, claiming twice returns the same entries), never x2.
        Assert.Equal(["x1"], (await a.ClaimDueAsync(T0, 1, None)).Select(e => e.ItemKey));
        Assert.Equal(["y1"], (await b.ClaimDueAsync(T0, 10, None)).Select(e => e.ItemKey));

        await a.MarkDeliveredAsync(byA[0].Id, T0, "m1", None);
        await b.MarkDeliveredAsync(byB[0].Id, T0, "m2", None);

        Assert.Equal(["x2"], (await b.ClaimDueAsync(T0, 10, None)).Select(e => e.ItemKey));
        Assert.Empty(await a.ClaimDueAsync(T0, 10, None));
    }

    [StoreFact]
    public async Task A_crashed_instances_claim_expires_after_the_lease()
    {
        var (a, b, feedId, ch) = await CreateSut();
        await Enqueue(a, feedId, (ch[0], "x1"), (ch[0], "x2"));
        Assert.Equal(2, (await a.ClaimDueAsync(T0, 10, None)).Count);

        // a never comes back: no delivery is recorded and it never releases its claims.
        Assert.Empty(await b.ClaimDueAsync(T0 + Lease - TimeSpan.FromSeconds(1), 10, None));
        var takenOver = await b.ClaimDueAsync(T0 + Lease, 10, None);

        Assert.Equal(["x1", "x2"], takenOver.Select(e => e.ItemKey));
        Assert.Equal(
            ["instance-b", "instance-b"],
            await Db.QueryAsync<string>("SELECT claimed_by FROM outbox ORDER BY id"));
    }

    [StoreFact]
    public async Task Recording_progress_renews_the_claims_left_on_the_channel()
    {
        var (a, b, feedId, ch) = await CreateSut();
        await Enqueue(a, feedId, (ch[0], "x1"), (ch[0], "x2"), (ch[0], "x3"));
        var claimed = await a.ClaimDueAsync(T0, 10, None);

        // A slow channel: the first send lands four minutes in, and pushes the lease of the rest on from there.
        await a.MarkDeliveredAsync(claimed[0].Id, T0.AddMinutes(4), "m1", None);

        Assert.Empty(await b.ClaimDueAsync(T0 + Lease + TimeSpan.FromMinutes(1), 10, None));
        Assert.Equal(["x2", "x3"], (await b.ClaimDueAsync(T0.AddMinutes(4) + Lease, 10, None)).Select(e => e.ItemKey));
    }

    [StoreFact]
    public async Task A_failed_attempt_ends_its_claim_and_a_stopping_instance_releases_the_rest()
    {
        var (a, b, feedId, ch) = await CreateSut();
        await Enqueue(a, feedId, (ch[0], "x1"), (ch[1], "y1"), (ch[1], "y2"));
        var claimed = await a.ClaimDueAsync(T0, 10, None);
        await a.MarkAttemptFailedAsync(claimed[0].Id, "503", T0.AddSeconds(30), None);

        Assert.Equal(["x1"], (await b.ClaimDueAsync(T0.AddSeconds(30), 10, None)).Select(e => e.ItemKey));

        await TestDatabase.DisposeStoreAsync(a);

        Assert.Equal(["x1", "y1", "y2"], (await b.ClaimDueAsync(T0.AddSeconds(30), 10, None)).Select(e => e.ItemKey));
    }

    [StoreFact]
    public async Task Instances_committing_the_same_items_at_once_in_any_order_record_each_once_without_deadlock()
    {
        var (a, b, feedId, channels) = await CreateSut(channels: 2);
        var instances = new[] { a, b, Pg.NewInstance("instance-c", Lease) };
        // A large page, as from a busy feed; every tenth item alerts both channels.
        var keys = Enumerable.Range(0, 1000).Select(i => $"item-{i:D4}").ToList();
        var alerting = keys.Count / 10 * channels.Length;

        // Every instance polled the same feed page, each seeing the items in its own order.
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(t => Task.Run(async () =>
        {
            var order = keys.OrderBy(k => HashCode.Combine(k, t)).ToList();
            var alerts = order.Where(k => k.EndsWith('0')).SelectMany(k => channels.Select(c => new NewAlert(c, k, Samples.Message(k)))).ToList();
            return await instances[t % instances.Length].CommitPollAsync(
                new PollCommit(feedId, order, alerts, FeedValidators.None, T0), None);
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(keys.Count, results.Sum(r => r.KeysMarkedSeen));
        Assert.Equal(alerting, results.Sum(r => r.AlertsEnqueued));
        Assert.Equal(alerting, (await a.GetOutboxStatsAsync(null, None)).Pending);
    }

    [StoreFact]
    public async Task Instances_draining_together_deliver_every_alert_exactly_once_and_each_channel_in_order()
    {
        var (a, b, feedId, channels) = await CreateSut(channels: 6);
        const int PerChannel = 15;
        for (var n = 0; n < PerChannel; n++)
        {
            await Enqueue(a, feedId, channels.Select(c => (c, $"c{c}-{n:D2}")).ToArray());
        }

        var instances = new[] { a, b, Pg.NewInstance("instance-c", Lease), Pg.NewInstance("instance-d", Lease) };
        var claimedBy = new ConcurrentDictionary<long, string>();
        var deliveries = new ConcurrentQueue<(long Channel, string Key)>();
        var duplicates = new ConcurrentBag<long>();

        // Each instance claims small batches and delivers them, as its delivery job would, until the queue is empty.
        await Task.WhenAll(instances.Select(store => Task.Run(async () =>
        {
            for (var round = 0; round < 500; round++)
            {
                var batch = await store.ClaimDueAsync(T0, 4, None);
                if (batch.Count == 0)
                {
                    if ((await store.GetOutboxStatsAsync(null, None)).Pending == 0)
                    {
                        return;
                    }

                    continue;
                }

                foreach (var entry in batch)
                {
                    if (!claimedBy.TryAdd(entry.Id, store.InstanceId))
                    {
                        duplicates.Add(entry.Id);
                    }

                    deliveries.Enqueue((entry.ChannelId, entry.ItemKey));
                    await store.MarkDeliveredAsync(entry.Id, T0, null, None);
                }
            }
        })).ToArray()).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(duplicates);
        Assert.Equal(channels.Length * PerChannel, deliveries.Count);
        foreach (var channel in channels)
        {
            var keys = deliveries.Where(d => d.Channel == channel).Select(d => d.Key).ToList();
            Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        }

        Assert.True(claimedBy.Values.Distinct().Count() > 1, "the work should have been shared between instances");
    }
}
