using System.Text;
using AlertBot.Core.Pipeline;
using AlertBot.Testing.Feeds;

namespace AlertBot.IntegrationTests;

/// <summary>
/// A regex term that runs out of its time budget during a poll does not lose its hit: the item stays unseen and is
/// matched again at the next poll, and a channel whose plain term matched it meanwhile is not alerted twice.
/// </summary>
public sealed class RegexBudgetEndToEndTests : IAsyncLifetime
{
    private const string Regex = @"/houthi\w*/i";

    private LoopbackFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task An_item_a_regex_ran_out_of_time_on_stays_unseen_and_alerts_once_the_regex_finishes()
    {
        var body = new StringBuilder("<p>");
        for (var i = 0; i < 2_000; i++)
        {
            body.Append("Officials met tribal leaders in the north and spoke at length about the port; ");
        }

        body.Append("the Houthiyeen said nothing more.</p>");
        _server.Set("/news", LoopbackResponse.Text(SampleFeeds.Rss("Loopback News")));
        await using var sut = await PipelineHarness.StartAsync(
            new Dictionary<string, string?> { ["AlertBot:Matching:RegexTimeout"] = "00:00:00.0000001" }, (_server.Url("/news"), 0));
        await sut.AddChannelAsync("regex", Regex);
        await sut.AddChannelAsync("plain", "tribal leaders");
        await sut.PollAllAsync(); // baseline
        _server.Set("/news", LoopbackResponse.Text(SampleFeeds.Rss("Loopback News",
            new SampleItem("Houthis in talks", "https://news.example/houthi-talks", body.ToString(), sut.Time.GetUtcNow()))));

        // Out of time (a budget of one tick): the plain term's channel is alerted, the item stays unseen.
        var first = Assert.Single(await sut.PollAllAsync(), o => o.Status == PollStatus.Polled);
        Assert.Equal((1, 1), (first.NewItems, first.AlertsEnqueued));

        // With the default budget the regex finishes: the item was still new, its channel gets it, the other not again.
        await sut.RestartAsync(new Dictionary<string, string?> { ["AlertBot:Matching:RegexTimeout"] = "00:00:05" });
        var second = Assert.Single(await sut.PollAllAsync(), o => o.Status == PollStatus.Polled);
        Assert.Equal((1, 1), (second.NewItems, second.AlertsEnqueued));
        Assert.Equal(0, Assert.Single(await sut.PollAllAsync()).NewItems); // now it is seen

        await sut.DeliverAsync();
        Assert.Equal(["Houthis in talks"], sut.TitlesFor("regex"));
        Assert.Equal(["Houthis in talks"], sut.TitlesFor("plain"));
    }
}
