using AlertBot.Core.Retention;
using AlertBot.Testing.Feeds;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>
/// Retention through the real pipeline (loopback feed, PollService, SQLite, RetentionService): a feed that keeps
/// repeating an item older than the retention age never alerts on it again, while what it dropped is pruned.
/// </summary>
public sealed class RetentionEndToEndTests : IAsyncLifetime
{
    private LoopbackFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_feed_repeating_an_item_older_than_the_age_does_not_alert_again_and_what_it_dropped_is_pruned()
    {
        _server.Set("/news", LoopbackResponse.Text(SampleFeeds.Rss("Loopback News")));
        await using var sut = await PipelineHarness.StartAsync(
            new Dictionary<string, string?> { ["AlertBot:Retention:MaxAge"] = "30.00:00:00" }, (_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Houthis");
        await sut.PollAllAsync(); // baseline
        var evergreen = new SampleItem("Houthis: a profile", "https://news.example/houthis-profile", "Who the Houthis are.", sut.Time.GetUtcNow());

        // Every ten days for 100 days: the evergreen item stays in the feed beside that day's news.
        var actionRows = 0;
        for (var day = 0; day <= 100; day += 10)
        {
            var news = new SampleItem($"Houthis, day {day}", $"https://news.example/day-{day}", "Houthis said.", sut.Time.GetUtcNow());
            _server.Set("/news", LoopbackResponse.Text(SampleFeeds.Rss("Loopback News", evergreen, news)));
            await sut.PollAllAsync();
            await sut.DeliverAsync();
            var pruned = await sut.Services.GetRequiredService<RetentionService>().PruneAsync(CancellationToken.None);
            Assert.Equal(day >= 40 ? 1 : 0, pruned.SeenItems); // each day's news, 30 days after it left the feed
            actionRows += pruned.ActionRows;
            sut.Time.Advance(TimeSpan.FromDays(10));
        }

        var titles = sut.TitlesFor("a");
        Assert.Single(titles, t => t == evergreen.Title);
        Assert.Equal(12, titles.Count); // the evergreen once, and the eleven days' news

        // The hourly trend counts age out with the rest: none older than the retention age is left.
        Assert.True(actionRows > 0);
        var channel = Assert.Single(await sut.Store.ListChannelsAsync(CancellationToken.None));
        var counts = await sut.Services.GetRequiredService<AlertBot.Core.Actions.IAlertActionStore>()
            .ListTermCountsAsync(channel.Id, DateTimeOffset.MinValue, CancellationToken.None);
        Assert.NotEmpty(counts);
        Assert.All(counts, c => Assert.True(c.Hour >= sut.Time.GetUtcNow() - TimeSpan.FromDays(40)));
    }
}
