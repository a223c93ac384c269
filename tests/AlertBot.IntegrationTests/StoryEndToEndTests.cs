using AlertBot.Core.Alerts;
using AlertBot.Core.Summaries;
using AlertBot.Testing.Feeds;
using AlertBot.Testing.Stories;

namespace AlertBot.IntegrationTests;

/// <summary>
/// Stories across sources through the real pipeline (loopback feeds, PollService, SQLite, DeliveryService, a
/// recording sink): the same wire story from five outlets is one alert per channel that names all five.
/// </summary>
public sealed class StoryEndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);

    private static readonly SampleItem Old = new("An old item", "https://old.example/1", "Nothing to see.", Day.AddDays(-1));

    private LoopbackFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void Serve(int feed, string outlet, params SampleItem[] items) =>
        _server.Set($"/feed{feed}", LoopbackResponse.Text(SampleFeeds.Rss(outlet, [Old, .. items])));

    private async Task<PipelineHarness> StartFiveFeedsAsync()
    {
        var copies = WireStories.QaaniCopies;
        for (var i = 0; i < copies.Count; i++)
        {
            Serve(i, copies[i].Outlet);
        }

        var sut = await PipelineHarness.StartAsync([.. Enumerable.Range(0, copies.Count).Select(i => (_server.Url($"/feed{i}"), 0))]);
        await sut.AddChannelAsync("a", "Qaani");
        await sut.AddChannelAsync("b", "Kataib Hezbollah");
        await sut.PollAllAsync(); // baselines
        return sut;
    }

    private static SampleItem Copy(int index, TimeSpan after)
    {
        var copy = WireStories.QaaniCopies[index];
        return new SampleItem(copy.Title, copy.Link, $"<p>{copy.Body}</p>", Day.AddHours(2) + after);
    }

    private static IReadOnlyList<string> SourcesOf(AlertMessage message) => [message.Source, .. message.AlsoSources.Select(s => s.Name)];

    [Fact]
    public async Task The_same_wire_story_from_five_feeds_is_one_alert_per_channel_listing_five_sources()
    {
        await using var sut = await StartFiveFeedsAsync();
        var outlets = WireStories.QaaniCopies.Select(c => c.Outlet).ToList();

        // Two outlets before the first delivery: the second joins the queued alert.
        Serve(0, outlets[0], Copy(0, TimeSpan.Zero));
        Serve(1, outlets[1], Copy(1, TimeSpan.FromMinutes(3)));
        await sut.PollAllAsync();
        await sut.DeliverAsync();

        // Three more after it was posted: each becomes an edit of the posted alert.
        Serve(2, outlets[2], Copy(2, TimeSpan.FromMinutes(20)));
        Serve(3, outlets[3], Copy(3, TimeSpan.FromMinutes(40)));
        await sut.PollAllAsync();
        await sut.DeliverAsync();
        Serve(4, outlets[4], Copy(4, TimeSpan.FromHours(2)));
        sut.Time.Advance(TimeSpan.FromHours(2));
        await sut.PollAllAsync();
        await sut.DeliverAsync();

        foreach (var channel in new[] { "a", "b" })
        {
            // Five outlets within 30 minutes also escalate (a reply, see EscalationEndToEndTests): not the story's alert.
            var alert = Assert.Single(sut.Sink.Delivered, e => e.Channel.ExternalId == channel && e.RefersTo is null);
            Assert.Equal(OutboxKind.Alert, alert.Kind);
            var edits = sut.Sink.Edits.Where(e => e.Entry.Channel.ExternalId == channel).ToList();
            Assert.NotEmpty(edits);
            Assert.All(edits, e => Assert.Equal($"m{alert.Id}", e.MessageId));
            Assert.All(edits, e => Assert.Equal(alert.Id, e.Entry.RefersTo));
            Assert.Equal(outlets, SourcesOf(edits[^1].Entry.Message));
            Assert.Equal(WireStories.QaaniCopies[0].Title, edits[^1].Entry.Message.Title);
        }

        // Nothing else is waiting: the superseded updates were folded into the newest.
        Assert.Equal(0, (await sut.Store.GetOutboxStatsAsync(null, CancellationToken.None)).Pending);
    }

    [Fact]
    public async Task A_story_that_grew_before_delivery_goes_out_once_with_every_source_and_survives_a_restart()
    {
        await using var sut = await StartFiveFeedsAsync();
        var outlets = WireStories.QaaniCopies.Select(c => c.Outlet).ToList();
        for (var i = 0; i < outlets.Count; i++)
        {
            Serve(i, outlets[i], Copy(i, TimeSpan.FromMinutes(i)));
        }

        await sut.PollAllAsync();
        await sut.RestartAsync();
        await sut.DeliverAsync();

        var alert = Assert.Single(sut.Sink.Delivered, e => e.Channel.ExternalId == "a");
        Assert.Equal(outlets, SourcesOf(alert.Message));
    }

    [Fact]
    public async Task Different_stories_about_the_same_actors_on_the_same_day_are_separate_alerts()
    {
        await using var sut = await StartFiveFeedsAsync();
        var visit = Copy(0, TimeSpan.Zero);
        var sanctions = new SampleItem(WireStories.QaaniSanctions.Title, WireStories.QaaniSanctions.Link, WireStories.QaaniSanctions.Body, Day.AddHours(3));
        var drone = new SampleItem(WireStories.MilitiaDroneAttack.Title, WireStories.MilitiaDroneAttack.Link, WireStories.MilitiaDroneAttack.Body, Day.AddHours(4));
        Serve(0, "Associated Press", visit);
        Serve(1, "Reuters", sanctions);
        Serve(2, "Al Jazeera", drone);

        await sut.PollAllAsync();
        await sut.DeliverAsync();

        Assert.Equal(new[] { visit.Title, sanctions.Title, drone.Title }.Order(), sut.TitlesFor("a").Order());
        Assert.Empty(sut.Sink.Edits);
    }
}
