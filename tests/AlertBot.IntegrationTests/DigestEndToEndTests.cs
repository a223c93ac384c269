using AlertBot.Core.Alerts;
using AlertBot.Core.Digests;
using AlertBot.Core.Stories;
using AlertBot.Testing.Feeds;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>Digests through the real pipeline and a fake clock: matches wait for the period's end; priority terms do not.</summary>
public sealed class DigestEndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);

    private static readonly SampleItem Old = new("An old item", "https://old.example/1", "Nothing to see.", Day.AddDays(-1));

    private static readonly SampleItem RedSea = new(
        "Houthis fire two missiles at a tanker in the Red Sea",
        "https://news.example/red-sea",
        "<p>Yemen's Houthis fired two missiles at a Liberian-flagged tanker in the Red Sea on Friday, the ship's operator said.</p>",
        Day.AddHours(2));

    private static readonly SampleItem Hodeidah = new(
        "Airstrikes hit Houthi-held port of Hodeidah",
        "https://news.example/hodeidah",
        "<p>Warplanes struck fuel depots at the Houthi-held port of Hodeidah overnight, residents and Houthi media said.</p>",
        Day.AddHours(2).AddMinutes(5));

    private static readonly SampleItem Qaani = new(
        "Quds Force commander Qaani in Baghdad",
        "https://news.example/qaani",
        "<p>Esmail Qaani arrived in Baghdad on Friday for talks with militia leaders, two officials said.</p>",
        Day.AddHours(2).AddMinutes(10));

    private LoopbackFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void Serve(params SampleItem[] items) =>
        _server.Set("/news", LoopbackResponse.Text(SampleFeeds.Rss("Loopback News", [Old, .. items])));

    [Fact]
    public async Task An_hourly_channel_gets_one_digest_at_the_hours_end_while_priority_terms_alert_at_once()
    {
        Serve();
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        var stories = sut.Services.GetRequiredService<IStoryStore>();
        var digest = await sut.AddChannelAsync("digest", "Houthis", "Qaani");
        await sut.AddChannelAsync("live", "Houthis");
        await stories.SetDigestModeAsync(digest.Id, DigestMode.Hourly, CancellationToken.None);
        Assert.True(await stories.SetTermPriorityAsync(digest.Id, "qaani", true, CancellationToken.None));
        await sut.PollAllAsync(); // baseline

        sut.Time.Advance(TimeSpan.FromMinutes(10)); // 08:10
        Serve(RedSea, Hodeidah, Qaani);
        await sut.PollAllAsync();
        await sut.DeliverAsync();

        // The priority term went out at once; the Houthi stories wait. The immediate channel has both at once.
        Assert.Equal([Qaani.Title], sut.TitlesFor("digest"));
        Assert.Equal(2, sut.TitlesFor("live").Count);

        sut.Time.Advance(TimeSpan.FromMinutes(49)); // 08:59
        await sut.DeliverAsync();
        Assert.Single(sut.TitlesFor("digest"));

        sut.Time.Advance(TimeSpan.FromMinutes(1)); // 09:00, the hour's end
        await sut.DeliverAsync();
        await sut.DeliverAsync();

        var sent = sut.Sink.Delivered.Where(e => e.Channel.ExternalId == "digest").ToList();
        Assert.Equal(2, sent.Count);
        var digestEntry = sent[1];
        Assert.Equal(OutboxKind.Digest, digestEntry.Kind);
        Assert.Equal("Digest: 2 stories until 2026-11-27 09:00 UTC", digestEntry.Message.Title);
        Assert.Equal([RedSea.Title, Hodeidah.Title], digestEntry.Message.Digest.Select(d => d.Title));
        Assert.All(digestEntry.Message.Digest, d => Assert.Equal(["Houthis"], d.Terms));
        Assert.Equal([RedSea.Link, Hodeidah.Link], digestEntry.Message.Digest.Select(d => d.Link));
        Assert.All(digestEntry.Message.Digest, d => Assert.Equal("Loopback News", d.Source));
        Assert.Equal(0, (await sut.Store.GetOutboxStatsAsync(null, CancellationToken.None)).Pending);
    }

    [Fact]
    public async Task Held_matches_survive_a_restart_and_go_out_in_the_digest()
    {
        Serve();
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        var digest = await sut.AddChannelAsync("digest", "Houthis");
        await sut.Services.GetRequiredService<IStoryStore>().SetDigestModeAsync(digest.Id, DigestMode.Daily, CancellationToken.None);
        await sut.PollAllAsync();
        Serve(RedSea);
        await sut.PollAllAsync();

        await sut.RestartAsync();
        await sut.DeliverAsync();
        Assert.Empty(sut.TitlesFor("digest"));
        sut.Time.Advance(TimeSpan.FromHours(16)); // midnight UTC
        await sut.DeliverAsync();

        var entry = Assert.Single(sut.Sink.Delivered, e => e.Channel.ExternalId == "digest");
        Assert.Equal(OutboxKind.Digest, entry.Kind);
        Assert.Equal(RedSea.Title, Assert.Single(entry.Message.Digest).Title);
    }
}
