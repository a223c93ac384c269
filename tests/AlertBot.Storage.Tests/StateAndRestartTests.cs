using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;

namespace AlertBot.Storage.Tests;

public abstract class StateAndRestartTests(TestDatabase db) : StoreTests(db)
{
    private Task<DapperAlertStore> CreateSut() => Db.NewMigratedStoreAsync();

    [StoreFact]
    public async Task State_values_are_stored_and_overwritten_by_key()
    {
        var store = await CreateSut();

        Assert.Null(await store.GetStateAsync("telegram:offset", None));
        await store.SetStateAsync("telegram:offset", "100", None);
        await store.SetStateAsync("telegram:offset", "101", None);
        await store.SetStateAsync("discord:session", "{\"id\":\"é\"}", None);

        Assert.Equal("101", await store.GetStateAsync("telegram:offset", None));
        Assert.Equal("{\"id\":\"é\"}", await store.GetStateAsync("discord:session", None));
    }

    [StoreFact]
    public async Task Everything_survives_a_restart_on_the_same_file()
    {
        var before = await CreateSut();
        var now = Db.Time.GetUtcNow();
        var feed = await before.UpsertFeedAsync(Samples.Feed(), now, None);
        var channel = await before.EnsureChannelAsync(Samples.Telegram, "Iraq desk", now, None);
        await before.AttachFeedAsync(channel.Id, feed.Id, None);
        await before.AddWatchTermAsync(channel.Id, "Qaani", now, None);
        await before.CommitPollAsync(
            new PollCommit(feed.Id, ["k1"], [new(channel.Id, "k1", Samples.Message())], new FeedValidators("\"e\"", null), now), None);
        await before.SetStateAsync("offset", "7", None);
        var version = await before.GetWatchlistVersionAsync(None);
        var queued = await before.ClaimDueAsync(now, 10, None);
        await TestDatabase.DisposeStoreAsync(before);

        var after = await Db.NewMigratedStoreAsync();

        Assert.Equal(await after.GetFeedAsync(feed.Id, None), (await after.ListFeedsAsync(None)).Single());
        Assert.True((await after.GetFeedAsync(feed.Id, None))!.BaselineDone);
        Assert.Equal(channel, await after.GetChannelAsync(Samples.Telegram, None));
        Assert.Equal([channel.Id], await after.ListDeliverableSubscribersAsync(feed.Id, None));
        Assert.Equal(["Qaani"], (await after.ListAllWatchTermsAsync(None)).Select(t => t.Text));
        Assert.Equal(version, await after.GetWatchlistVersionAsync(None));
        Assert.Equal(["k1"], await after.FindSeenAsync(feed.Id, ["k1", "k2"], None));
        Assert.Equal("7", await after.GetStateAsync("offset", None));
        var requeued = await after.ClaimDueAsync(now, 10, None);
        Assert.Equal(queued.Select(e => (e.Id, e.ItemKey, e.Channel, e.CreatedAt)), requeued.Select(e => (e.Id, e.ItemKey, e.Channel, e.CreatedAt)));
        Assert.Equal(queued[0].Message.Matches, requeued[0].Message.Matches);
    }
}

public sealed class SqliteStateAndRestartTests() : StateAndRestartTests(new SqliteTestDatabase());

public sealed class PostgresStateAndRestartTests() : StateAndRestartTests(new PostgresTestDatabase()), IUsesPostgres;
