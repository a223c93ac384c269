using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Watchlists;
using AlertBot.Storage;
using AlertBot.Storage.Postgres;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Commands;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.IntegrationTests;

/// <summary>
/// <c>/feeds pause &lt;id&gt;</c> and <c>/feeds resume &lt;id&gt;</c> on the real stores: the chat keeps the feed but drops
/// out of its deliverable subscribers (what a poll alerts), other chats reading the same feed do not.
/// </summary>
public sealed class FeedPauseCommandTests : IDisposable
{
    private const string FeedUrl = "https://news.example/world.rss";

    private static readonly CommandContext Owner = new(new ChannelRef(Platforms.Telegram, "42"), null, "42", UserIsAdmin: false, IsPrivate: true);
    private static readonly CommandContext Other = new(new ChannelRef(Platforms.Discord, "610000000000000001"), "alerts", "7", UserIsAdmin: true, IsPrivate: false);
    private static readonly CommandContext Member = Other with { UserId = "8", UserIsAdmin = false };

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("alertbot-feed-pause-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private CommandProcessor CreateSut(DapperAlertStore store) => CommandTestServices.CreateProcessor(
        store,
        new ActorDictionary([]),
        new WatchlistPresets([new WatchlistPreset("default", ["Qaani"])]),
        new CommandOptions(),
        new PollingOptions { DefaultInterval = TimeSpan.FromMinutes(5), Feeds = [new ConfiguredFeed { Url = FeedUrl, Name = "World" }] },
        _time);

    [Fact]
    public async Task On_sqlite_a_paused_feed_stops_alerting_one_chat_until_it_is_resumed()
    {
        using var store = new SqliteAlertStore($"Data Source={Path.Combine(_directory.FullName, "alertbot.db")};Pooling=False", _time);
        await PauseAndResumeAsync(store);
    }

    [Fact]
    public async Task On_postgres_a_paused_feed_stops_alerting_one_chat_until_it_is_resumed()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await using var store = new PostgresAlertStore(schema.ConnectionString, TimeSpan.FromMinutes(5), _time);
        await PauseAndResumeAsync(store);
    }

    private async Task PauseAndResumeAsync(DapperAlertStore store)
    {
        await store.MigrateAsync(default);
        var sut = CreateSut(store);
        async Task<CommandReply> Run(string text, CommandContext context) => await sut.ExecuteAsync(text, context, default);

        // Two chats read the configured feed.
        Assert.False((await Run("/subscribe", Owner)).IsError);
        Assert.False((await Run("/subscribe", Other)).IsError);
        var feed = (await store.FindFeedByUrlAsync(FeedUrl, default))!;
        var owner = (await store.GetChannelAsync(Owner.Channel, default))!;
        var other = (await store.GetChannelAsync(Other.Channel, default))!;
        Assert.Equal([owner.Id, other.Id], (await store.ListDeliverableSubscribersAsync(feed.Id, default)).Order());

        var paused = await Run($"/feeds pause {feed.Id}", Owner);
        Assert.False(paused.IsError, paused.Text);
        Assert.Contains($"Feed #{feed.Id} is paused here", paused.Text, StringComparison.Ordinal);
        Assert.Equal([other.Id], await store.ListDeliverableSubscribersAsync(feed.Id, default));

        // The chat still reads it: listed, marked, counted; pausing again says so.
        Assert.Contains(FeedUrl, (await store.ListChannelFeedsAsync(owner.Id, default)).Select(f => f.Url));
        Assert.Contains($"paused here (/feeds resume {feed.Id})", (await Run("/feeds list", Owner)).Text, StringComparison.Ordinal);
        Assert.DoesNotContain("paused here", (await Run("/feeds list", Other)).Text, StringComparison.Ordinal);
        Assert.Contains("already paused", (await Run($"/feeds pause #{feed.Id}", Owner)).Text, StringComparison.Ordinal);

        // Only an admin may, a feed the chat does not read is refused, and a typo gets the usage.
        var refused = await Run($"/feeds pause {feed.Id}", Member);
        Assert.True(refused.IsError);
        Assert.Contains("Only an admin of this chat can pause feeds", refused.Text, StringComparison.Ordinal);
        Assert.Contains("does not read a feed #999", (await Run("/feeds resume 999", Owner)).Text, StringComparison.Ordinal);
        Assert.Contains("Usage:\n/feeds pause <id>", (await Run("/feeds pause world", Owner)).Text, StringComparison.Ordinal);

        // Typed arguments (Discord's options) do the same.
        var resumed = await sut.ExecuteAsync(new FeedsArgs(FeedsAction.Resume, FeedId: feed.Id), Owner, default);
        Assert.Contains("alerts here again", resumed.Text, StringComparison.Ordinal);
        Assert.Equal([owner.Id, other.Id], (await store.ListDeliverableSubscribersAsync(feed.Id, default)).Order());
        Assert.Contains("is not paused here", (await Run($"/feeds resume {feed.Id}", Owner)).Text, StringComparison.Ordinal);

        // Removing a paused feed takes its pause with it: added back, it alerts.
        await Run($"/feeds pause {feed.Id}", Owner);
        Assert.Contains("no longer reads", (await Run($"/feeds remove {feed.Id}", Owner)).Text, StringComparison.Ordinal);
        await Run($"/feeds add {FeedUrl}", Owner);
        Assert.Equal([owner.Id, other.Id], (await store.ListDeliverableSubscribersAsync(feed.Id, default)).Order());
    }
}
