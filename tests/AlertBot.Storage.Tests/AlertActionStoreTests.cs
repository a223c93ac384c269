using AlertBot.Core.Actions;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;

namespace AlertBot.Storage.Tests;

/// <summary>The buttons', escalation's and trends' store side (migration 0007), the same on every provider.</summary>
public abstract class AlertActionStoreTests(TestDatabase db) : StoreTests(db)
{
    private async Task<(DapperAlertStore Store, IAlertActionStore Actions, long FeedId, long ChannelId)> CreateSut()
    {
        var (store, feedId, channelId) = await Samples.FeedAndChannelAsync(Db);
        return (store, Assert.IsAssignableFrom<IAlertActionStore>(store), feedId, channelId);
    }

    [StoreFact]
    public async Task Term_counts_add_up_per_hour_in_the_polls_transaction_and_prune_by_hour()
    {
        var (store, actions, feedId, channel) = await CreateSut();
        var hour = AlertActionPlanner.HourOf(Db.Time.GetUtcNow());
        async Task CommitAsync(params TermHourCount[] hits) =>
            await store.CommitPollAsync(new PollCommit(feedId, [], [], FeedValidators.None, hour) { TermHits = hits }, None);

        await CommitAsync(new TermHourCount(channel, "Houthis", hour, 2), new TermHourCount(channel, "Red Sea", hour, 1));
        await CommitAsync(new TermHourCount(channel, "houthis ", hour, 3), new TermHourCount(channel, "Houthis", hour.AddHours(-30), 4));

        var counts = await actions.ListTermCountsAsync(channel, hour.AddDays(-2), None);
        Assert.Equal([(hour.AddHours(-30), 4), (hour, 5)], counts.Where(c => c.Term.Equals("Houthis", StringComparison.OrdinalIgnoreCase)).Select(c => (c.Hour, c.Count)));
        Assert.Equal(1, Assert.Single(counts, c => c.Term == "Red Sea").Count);
        Assert.Equal(2, (await actions.ListTermCountsAsync(channel, hour, None)).Count);

        Assert.Equal(1, await actions.PruneActionsAsync(hour.AddHours(-1), None));
        Assert.Equal(2, (await actions.ListTermCountsAsync(channel, hour.AddDays(-2), None)).Count);
    }

    [StoreFact]
    public async Task Mutes_and_escalation_settings_round_trip()
    {
        var (_, actions, _, channel) = await CreateSut();
        var now = Db.Time.GetUtcNow();
        Assert.True(await actions.MuteStoryAsync(channel, 42, now, None));
        Assert.False(await actions.MuteStoryAsync(channel, 42, now, None));
        Assert.Equal([42L], await actions.FindMutedStoriesAsync([41, 42], None));

        await actions.MuteTermAsync(channel, "Red Sea", now.AddHours(1), None);
        await actions.MuteTermAsync(channel, "red sea", now.AddHours(24), None);
        var mute = Assert.Single(await actions.ListTermMutesAsync([channel], now, None));
        Assert.Equal(("red sea", now.AddHours(24)), (mute.Term, mute.Until));
        Assert.Empty(await actions.ListTermMutesAsync([channel], now.AddHours(25), None));

        Assert.Empty(await actions.GetEscalationAsync([channel], None));
        await actions.SetEscalationAsync(channel, new EscalationSettings(false, 6, TimeSpan.FromMinutes(45), "123"), None);
        Assert.Equal(new EscalationSettings(false, 6, TimeSpan.FromMinutes(45), "123"), (await actions.GetEscalationAsync([channel], None))[channel]);

        Assert.Equal(2, await actions.PruneActionsAsync(now.AddHours(30), None)); // the story mute and the ended term mute
        Assert.Empty(await actions.FindMutedStoriesAsync([42], None));
    }
}

public sealed class SqliteAlertActionStoreTests() : AlertActionStoreTests(new SqliteTestDatabase());

public sealed class PostgresAlertActionStoreTests() : AlertActionStoreTests(new PostgresTestDatabase()), IUsesPostgres;
