using AlertBot.Core.Alerts;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Testing.Feeds;

namespace AlertBot.IntegrationTests;

/// <summary>
/// Feed → poll → match → outbox → sink, over real HTTP on loopback and a real SQLite file: the promises users rely on
/// (one alert per matching item per channel, nothing twice, nothing lost).
/// </summary>
public sealed class PipelineEndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);

    private static readonly SampleItem Old = new(
        "Older story about the Houthis", "https://news.example/old", "The Houthis said nothing new.", Day.AddDays(-1));

    private static readonly SampleItem RedSeaAttack = new(
        "Huthi fighters attack a tanker in the Red Sea",
        "https://news.example/red-sea-attack",
        "<p>Yemen’s Houthis fired two missiles at a tanker in the Red Sea on Thursday, the ship’s operator said.</p>",
        Day.AddHours(1));

    private static readonly SampleItem QaaniVisit = new(
        "Quds Force commander in Baghdad",
        "https://news.example/qaani-baghdad",
        "<p>Esmail Qaani visited Baghdad last week to keep a truce with the US in place, sources said.</p>",
        Day.AddHours(2));

    private static readonly SampleItem Unrelated = new(
        "Miranda Lambert announces tour", "https://news.example/tour", "<p>The singer will visit Iranian-American fans.</p>", Day.AddHours(3));

    private LoopbackFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void Serve(params SampleItem[] items) =>
        _server.Set("/news", LoopbackResponse.Text(SampleFeeds.Rss("Loopback News", items)));

    [Fact]
    public async Task A_feed_named_after_its_host_takes_its_own_title_once_known_and_an_operators_name_stays()
    {
        Serve(Old);
        _server.Set("/other", LoopbackResponse.Text(SampleFeeds.Rss("Loopback Opinion", Old)));
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        var host = new Uri(_server.Url("/other")).Host;
        await sut.Store.UpsertFeedAsync(new FeedDefinition(_server.Url("/other"), host, TimeSpan.FromMinutes(5)), sut.Time.GetUtcNow(), CancellationToken.None);

        await sut.PollAllAsync();

        var names = (await sut.Store.ListFeedsAsync(CancellationToken.None)).ToDictionary(f => f.Url, f => f.Name);
        Assert.Equal("Loopback Opinion", names[_server.Url("/other")]);
        Assert.Equal("Feed 0", names[_server.Url("/news")]);
    }

    [Fact]
    public async Task Each_matching_item_reaches_each_matching_channel_once_and_a_restart_sends_nothing_new()
    {
        Serve(Old);
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Houthis");
        await sut.AddChannelAsync("b", "Red Sea", "Qaani");

        var baseline = await sut.PollAllAsync();
        Assert.Equal(PollStatus.Baseline, Assert.Single(baseline).Status);
        Assert.Equal(0, (await sut.DeliverAsync()).Delivered);

        Serve(Old, RedSeaAttack, QaaniVisit, Unrelated);
        var poll = Assert.Single(await sut.PollAllAsync());
        Assert.Equal(PollStatus.Polled, poll.Status);
        Assert.Equal(3, poll.NewItems);
        Assert.Equal(3, poll.AlertsEnqueued);
        Assert.Equal(3, (await sut.DeliverAsync()).Delivered);

        Assert.Equal([RedSeaAttack.Title], sut.TitlesFor("a"));
        Assert.Equal([RedSeaAttack.Title, QaaniVisit.Title], sut.TitlesFor("b"));

        // The alert explains itself: the term, the alias that matched and where.
        var forA = Assert.Single(sut.Sink.Delivered, e => e.Channel.ExternalId == "a").Message;
        var why = Assert.Single(forA.Matches);
        Assert.Equal("Houthis", why.Term);
        Assert.Equal(RedSeaAttack.Link, forA.Link);
        Assert.Equal("Loopback News", forA.Source);

        await sut.RestartAsync();
        Assert.Equal(0, Assert.Single(await sut.PollAllAsync()).AlertsEnqueued);
        Assert.Equal(0, (await sut.DeliverAsync()).Delivered);
        Assert.Equal(3, sut.Sink.Delivered.Count);
    }

    [Fact]
    public async Task An_item_republished_with_tracking_parameters_is_not_delivered_again()
    {
        Serve(Old);
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Houthis");
        await sut.PollAllAsync();

        Serve(Old, RedSeaAttack);
        await sut.PollAllAsync();
        await sut.DeliverAsync();
        Assert.Single(sut.Sink.Delivered);

        var tracked = RedSeaAttack with
        {
            Link = RedSeaAttack.Link + "?utm_source=twitter&utm_medium=social&fbclid=IwAR0xyz#comments",
            Title = RedSeaAttack.Title + " (updated)",
        };
        Serve(tracked, Old);
        var poll = Assert.Single(await sut.PollAllAsync());
        Assert.Equal(0, poll.NewItems);
        await sut.DeliverAsync();
        Assert.Single(sut.Sink.Delivered);
    }

    [Fact]
    public async Task A_sink_that_fails_twice_then_succeeds_delivers_the_alert_exactly_once()
    {
        Serve(Old);
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Houthis");
        await sut.PollAllAsync();
        Serve(Old, RedSeaAttack);
        await sut.PollAllAsync();

        sut.Sink.FailNext(1, "502 from the platform").ThrowNext(new HttpRequestException("connection reset"));
        Assert.Equal(1, (await sut.DeliverAsync()).Retried);
        Assert.Equal(0, (await sut.DeliverAsync()).Claimed); // waiting for its backoff, not sent early

        sut.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await sut.DeliverAsync()).Retried);

        sut.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, (await sut.DeliverAsync()).Delivered);
        sut.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await sut.DeliverAsync()).Claimed);

        Assert.Equal(3, sut.Sink.Attempts);
        Assert.Equal([RedSeaAttack.Title], sut.TitlesFor("a"));
        var stats = await sut.Store.GetOutboxStatsAsync(null, CancellationToken.None);
        Assert.Equal(0, stats.Pending);
    }

    [Fact]
    public async Task A_send_with_an_unknown_outcome_is_retried_after_a_backoff_and_delivered_once()
    {
        Serve(Old);
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Houthis");
        await sut.PollAllAsync();
        Serve(Old, RedSeaAttack);
        await sut.PollAllAsync();

        sut.Sink.AnswerNext(_ => new DeliveryResult.Unknown("timed out after the request was sent"));
        Assert.Equal(1, (await sut.DeliverAsync()).Retried);
        Assert.Equal(0, (await sut.DeliverAsync()).Claimed); // backed off like any failure, not resent at once

        sut.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await sut.DeliverAsync()).Delivered);
        Assert.Equal(2, sut.Sink.Attempts);
        Assert.Equal([RedSeaAttack.Title], sut.TitlesFor("a"));
    }

    [Fact]
    public async Task A_failing_alert_waits_while_the_platform_takes_nothing_and_is_parked_once_other_sends_get_through()
    {
        Serve(Old);
        await using var sut = await PipelineHarness.StartAsync(
            new Dictionary<string, string?> { ["AlertBot:Delivery:MaxAttempts"] = "2" }, (_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Red Sea", "Qaani");
        await sut.PollAllAsync();
        Serve(Old, RedSeaAttack);
        await sut.PollAllAsync();

        // Every send fails without an answer from the platform: an outage, so the alert keeps its place however often.
        sut.Sink.Rule = _ => new DeliveryResult.Retry("HTTP 502");
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal((1, 0), ((await sut.DeliverAsync()).Retried, 0));
            sut.Time.Advance(TimeSpan.FromMinutes(6));
        }

        Assert.Empty(await sut.Store.ListParkedAsync(CancellationToken.None));

        // The platform works again for everything but this one alert: now the fault is the alert's.
        sut.Sink.Rule = e => e.Message.Title == RedSeaAttack.Title ? new DeliveryResult.Retry("HTTP 502") : null;
        await sut.AddChannelAsync("b", "Qaani");
        Serve(Old, RedSeaAttack, QaaniVisit);
        await sut.PollAllAsync();
        var rounds = new List<DeliveryRound>();
        for (var i = 0; i < 3 && rounds.Sum(r => r.Parked) == 0; i++)
        {
            rounds.Add(await sut.DeliverAsync());
            sut.Time.Advance(TimeSpan.FromMinutes(6));
        }

        Assert.Equal(1, rounds.Sum(r => r.Parked));
        await sut.DeliverAsync();
        Assert.Equal([QaaniVisit.Title, "An alert could not be delivered: " + RedSeaAttack.Title], sut.TitlesFor("a"));
        Assert.Equal([QaaniVisit.Title], sut.TitlesFor("b"));
        var parked = Assert.Single(await sut.Store.ListParkedAsync(CancellationToken.None));
        Assert.Equal((RedSeaAttack.Title, "HTTP 502"), (parked.Title, parked.LastError));
    }

    [Fact]
    public async Task A_rate_limited_alert_is_never_parked_however_long_the_platform_asks_to_wait()
    {
        Serve(Old);
        await using var sut = await PipelineHarness.StartAsync(
            new Dictionary<string, string?> { ["AlertBot:Delivery:MaxAttempts"] = "2" }, (_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Red Sea");
        await sut.AddChannelAsync("b", "Red Sea");
        await sut.PollAllAsync();
        Serve(Old, RedSeaAttack);
        await sut.PollAllAsync();

        sut.Sink.Rule = e => e.Channel.ExternalId == "a" ? new DeliveryResult.Retry("429", TimeSpan.FromMinutes(1)) : null;
        for (var i = 0; i < 4; i++)
        {
            await sut.DeliverAsync();
            sut.Time.Advance(TimeSpan.FromMinutes(2));
        }

        Assert.Equal([RedSeaAttack.Title], sut.TitlesFor("b"));
        Assert.Empty(await sut.Store.ListParkedAsync(CancellationToken.None));
        sut.Sink.Rule = null;
        await sut.DeliverAsync();
        Assert.Equal([RedSeaAttack.Title], sut.TitlesFor("a"));
    }

    [Fact]
    public async Task Alerts_from_one_poll_are_queued_oldest_first_by_date_then_by_the_feeds_order_reversed()
    {
        Serve(Old);
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Houthis", "Qaani", "Red Sea");
        await sut.PollAllAsync();
        var sameHourA = new SampleItem("Houthis claim a second strike", "https://news.example/second", "<p>The Houthis said so.</p>", Day.AddHours(3));
        var sameHourB = new SampleItem("Houthis claim a third strike", "https://news.example/third", "<p>The Houthis said so again.</p>", Day.AddHours(3));

        // Newest first, as feeds list them; the two items of one hour are in the feed's order B, A.
        Serve(sameHourB, sameHourA, QaaniVisit, RedSeaAttack, Old);
        await sut.PollAllAsync();
        await sut.DeliverAsync();

        Assert.Equal([RedSeaAttack.Title, QaaniVisit.Title, sameHourA.Title, sameHourB.Title], sut.TitlesFor("a"));
    }

    [Fact]
    public async Task A_failed_alert_holds_back_the_channels_later_alerts_so_order_is_kept()
    {
        Serve(Old);
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Red Sea", "Qaani");
        await sut.PollAllAsync();
        Serve(Old, RedSeaAttack, QaaniVisit);
        await sut.PollAllAsync();

        sut.Sink.FailNext(1, "429 Too Many Requests", after: TimeSpan.FromSeconds(30));
        var first = await sut.DeliverAsync();
        Assert.Equal(1, first.Retried);
        Assert.Empty(sut.Sink.Delivered); // the second alert did not overtake the first
        Assert.Equal(1, sut.Sink.Attempts);

        sut.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, (await sut.DeliverAsync()).Claimed); // the platform's own wait is honoured

        sut.Time.Advance(TimeSpan.FromSeconds(2));
        await sut.DeliverAsync();
        Assert.Equal([RedSeaAttack.Title, QaaniVisit.Title], sut.TitlesFor("a"));
    }

    [Fact]
    public async Task A_channel_the_platform_says_is_gone_is_deactivated_and_its_alerts_are_closed_not_retried()
    {
        Serve(Old);
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        var gone = await sut.AddChannelAsync("a", "Red Sea", "Qaani");
        await sut.PollAllAsync();
        Serve(Old, RedSeaAttack, QaaniVisit);
        await sut.PollAllAsync();

        sut.Sink.GoneNext("bot was kicked from the group");
        Assert.Equal(1, (await sut.DeliverAsync()).Undeliverable);
        sut.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, (await sut.DeliverAsync()).Claimed);

        var channel = await sut.Store.GetChannelByIdAsync(gone.Id, CancellationToken.None);
        Assert.False(channel!.Active);
        var stats = await sut.Store.GetOutboxStatsAsync(gone.Id, CancellationToken.None);
        Assert.Equal(0, stats.Pending);
        Assert.Equal(2, stats.Undeliverable);
        Assert.Equal(1, sut.Sink.Attempts);
    }

    [Fact]
    public async Task A_broken_feed_records_its_error_and_the_other_feeds_still_alert()
    {
        _server.Set("/broken", LoopbackResponse.Text("<rss><channel><item><title>unclosed"));
        Serve(Old);
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/broken"), 0), (_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Houthis");
        await sut.PollAllAsync();
        Serve(Old, RedSeaAttack);

        var outcomes = await sut.PollAllAsync();
        Assert.Contains(outcomes, o => o.Status == PollStatus.Failed && o.Error!.Contains("Malformed", StringComparison.Ordinal));
        Assert.Contains(outcomes, o => o.Status == PollStatus.Polled && o.AlertsEnqueued == 1);
        await sut.DeliverAsync();
        Assert.Equal([RedSeaAttack.Title], sut.TitlesFor("a"));

        var broken = Assert.Single(await sut.Store.ListFeedsAsync(CancellationToken.None), f => f.Url.EndsWith("/broken", StringComparison.Ordinal));
        Assert.Equal(2, broken.ConsecutiveFailures);
        Assert.False(string.IsNullOrEmpty(broken.LastError));
    }

    [Fact]
    public async Task A_new_feed_alerts_only_on_its_newest_backfill_items_and_records_the_rest_as_baseline()
    {
        Serve(QaaniVisit, RedSeaAttack, Old);
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 1));
        await sut.AddChannelAsync("a", "Houthis", "Qaani", "Red Sea");

        var poll = Assert.Single(await sut.PollAllAsync());
        Assert.Equal(PollStatus.Baseline, poll.Status);
        await sut.DeliverAsync();
        Assert.Equal([QaaniVisit.Title], sut.TitlesFor("a"));

        Assert.Equal(0, Assert.Single(await sut.PollAllAsync()).AlertsEnqueued);
    }

    [Fact]
    public async Task An_unchanged_feed_answers_304_and_costs_no_parse()
    {
        _server.Set("/news", LoopbackResponse.Text(SampleFeeds.Rss("Loopback News", Old)) with { ETag = "\"v1\"" });
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Houthis");

        Assert.Equal(PollStatus.Baseline, Assert.Single(await sut.PollAllAsync()).Status);
        Assert.Equal(PollStatus.NotModified, Assert.Single(await sut.PollAllAsync()).Status);
        Assert.Equal("\"v1\"", _server.RequestHeaders("/news")[1]["If-None-Match"]);
    }

    [Fact]
    public async Task A_failing_feed_backs_off_is_paused_with_one_notice_and_announces_its_return()
    {
        Serve(Old);
        var settings = new Dictionary<string, string?>
        {
            ["AlertBot:Polling:MaxConsecutiveFailures"] = "3",
            ["AlertBot:Polling:PausedRetryInterval"] = "1.00:00:00",
        };
        await using var sut = await PipelineHarness.StartAsync(settings, (_server.Url("/news"), 0));
        await sut.AddChannelAsync("a", "Houthis");
        await sut.PollAllAsync();
        _server.Set("/news", LoopbackResponse.WithStatus(503));
        var interval = TimeSpan.FromMinutes(5);

        Assert.Equal(PollStatus.Failed, Assert.Single(await sut.PollAllAsync()).Status);   // 1st failure
        Assert.Equal(PollStatus.Failed, Assert.Single(await sut.PollAllAsync()).Status);   // 2nd: the next scheduled poll still goes
        Assert.Equal(PollStatus.BackingOff, Assert.Single(await sut.PollAllAsync()).Status); // then the wait doubles
        Assert.Equal(2, _server.RequestCount("/news") - 1);

        sut.Time.Advance(interval);
        Assert.Equal(PollStatus.Failed, Assert.Single(await sut.PollAllAsync()).Status);   // 3rd: paused, channel told
        await sut.DeliverAsync();
        var notice = Assert.Single(sut.Sink.Delivered).Message;
        Assert.StartsWith("Feed paused:", notice.Title, StringComparison.Ordinal);
        Assert.Contains("503", notice.Sentences[0], StringComparison.Ordinal);

        sut.Time.Advance(TimeSpan.FromHours(6));
        Assert.Equal(PollStatus.BackingOff, Assert.Single(await sut.PollAllAsync()).Status);
        sut.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(PollStatus.Failed, Assert.Single(await sut.PollAllAsync()).Status);   // tried daily; no second notice
        await sut.DeliverAsync();
        Assert.Single(sut.Sink.Delivered);

        Serve(Old, RedSeaAttack);
        sut.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(PollStatus.Polled, Assert.Single(await sut.PollAllAsync()).Status);
        await sut.DeliverAsync();
        Assert.Equal(["Feed paused: Feed 0", RedSeaAttack.Title, "Feed working again: Feed 0"], sut.TitlesFor("a"));
        var feed = Assert.Single(await sut.Store.ListFeedsAsync(CancellationToken.None));
        Assert.Equal(0, feed.ConsecutiveFailures);
    }
}
