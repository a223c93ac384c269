using AlertBot.Core.Actions;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Summaries;
using AlertBot.Testing.Feeds;
using AlertBot.Testing.Stories;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>
/// Burst escalation, muted stories and muted terms through the real pipeline (loopback feeds, PollService, SQLite,
/// DeliveryService, a recording sink): one story carried by six outlets, three minutes apart.
/// </summary>
public sealed class EscalationEndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);

    private static readonly SampleItem Old = new("An old item", "https://old.example/1", "Nothing to see.", Day.AddDays(-1));

    /// <summary>The five wire copies and a sixth outlet carrying the first copy's headline under its own link.</summary>
    private static readonly IReadOnlyList<(string Outlet, string Title, string Link, string Body)> Copies =
    [
        .. WireStories.QaaniCopies,
        ("Reuters", WireStories.QaaniCopies[0].Title, "https://reuters.example/world/qaani-baghdad-visit/", WireStories.QaaniCopies[0].Body),
    ];

    private LoopbackFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void Serve(int feed, params SampleItem[] items) =>
        _server.Set($"/feed{feed}", LoopbackResponse.Text(SampleFeeds.Rss(Copies[feed].Outlet, [Old, .. items])));

    private static SampleItem Copy(int index) =>
        new(Copies[index].Title, Copies[index].Link, $"<p>{Copies[index].Body}</p>", Day.AddHours(2).AddMinutes(index));

    private static Task<CommandReply> RunAsync(PipelineHarness sut, string channel, string command) =>
        sut.Services.GetRequiredService<ICommandProcessor>().ExecuteAsync(
            command, new CommandContext(new ChannelRef(sut.Sink.Platform, channel), channel, "1", UserIsAdmin: false, IsPrivate: true), CancellationToken.None);

    [Fact]
    public async Task Five_outlets_within_the_window_escalate_once_as_a_reply_and_a_sixth_adds_no_second()
    {
        for (var i = 0; i < Copies.Count; i++)
        {
            Serve(i);
        }

        await using var sut = await PipelineHarness.StartAsync([.. Enumerable.Range(0, Copies.Count).Select(i => (_server.Url($"/feed{i}"), 0))]);
        var fast = await sut.AddChannelAsync("fast", "Qaani");
        var slow = await sut.AddChannelAsync("slow", "Qaani");
        var muted = await sut.AddChannelAsync("muted", "Qaani");
        var quiet = await sut.AddChannelAsync("quiet", "Qaani");
        Assert.Contains("5 outlets carry it within 30 minutes", (await RunAsync(sut, "fast", "/escalate 5 30")).Text, StringComparison.Ordinal);
        Assert.Contains("5 outlets carry it within 10 minutes", (await RunAsync(sut, "slow", "/escalate 5 10")).Text, StringComparison.Ordinal);
        await RunAsync(sut, "muted", "/escalate 2 30");
        var actions = sut.Store;
        await actions.MuteTermAsync(quiet.Id, "qaani", sut.Time.GetUtcNow().AddDays(1), CancellationToken.None);
        await sut.PollAllAsync(); // baselines

        // The first outlet alerts everywhere but in "quiet", whose only term is muted.
        Serve(0, Copy(0));
        await sut.PollAllAsync();
        await sut.DeliverAsync();
        var alerts = sut.Sink.Delivered.ToDictionary(e => e.Channel.ExternalId);
        Assert.Equal(["fast", "muted", "slow"], alerts.Keys.Order());
        await actions.MuteStoryAsync(muted.Id, alerts["muted"].Id, sut.Time.GetUtcNow(), CancellationToken.None);

        // Outlets 2 to 5, three minutes apart: the fifth, at 12 minutes, reaches "fast"'s count.
        for (var i = 1; i < 5; i++)
        {
            sut.Time.Advance(TimeSpan.FromMinutes(3));
            Serve(i, Copy(i));
            await sut.PollAllAsync();
            await sut.DeliverAsync();
        }

        var escalation = Assert.Single(sut.Sink.Delivered, e => e.Channel.ExternalId == "fast" && e.RefersTo is not null);
        Assert.Equal("Breaking: 5 outlets in 12 minutes", escalation.Message.Title);
        Assert.Equal(alerts["fast"].Id, escalation.RefersTo);
        Assert.Equal($"m{alerts["fast"].Id}", escalation.RefersToMessageId); // the sink replies to the posted alert
        Assert.Equal(OutboxKind.Alert, escalation.Kind);
        Assert.Equal(WireStories.QaaniCopies[0].Title, escalation.Message.Sentences[0]);
        Assert.Equal("Outlets: " + string.Join(", ", Copies.Take(5).Select(c => c.Outlet)), escalation.Message.Sentences[1]);

        // The sixth outlet: "fast"'s alert grows again, but there is no second escalation.
        sut.Time.Advance(TimeSpan.FromMinutes(3));
        Serve(5, Copy(5));
        await sut.PollAllAsync();
        await sut.DeliverAsync();
        var fastEdits = sut.Sink.Edits.Where(e => e.Entry.Channel.ExternalId == "fast").ToList();
        Assert.Equal(Copies.Select(c => c.Outlet), [fastEdits[^1].Entry.Message.Source, .. fastEdits[^1].Entry.Message.AlsoSources.Select(s => s.Name)]);
        Assert.Single(sut.Sink.Delivered, e => e.Channel.ExternalId == "fast" && e.RefersTo is not null);

        // The database refuses a second escalation of the story in the channel on its own.
        Assert.Equal(0, await sut.Store.EnqueueAsync(
            [new NewAlert(fast.Id, AlertActionPlanner.EscalationKeyPrefix + alerts["fast"].Id, new AlertMessage { Title = "again", Source = "x" }) { RefersTo = alerts["fast"].Id }],
            sut.Time.GetUtcNow(),
            CancellationToken.None));

        // "slow" wanted 5 within 10 minutes: 12 was too slow. "muted" muted the story: no edits, no escalation
        // (its count of 2 was reached at once). "quiet" never heard of it.
        Assert.DoesNotContain(sut.Sink.Delivered, e => e.Channel.ExternalId == "slow" && e.RefersTo is not null);
        Assert.Contains(sut.Sink.Edits, e => e.Entry.Channel.ExternalId == "slow");
        Assert.Single(sut.Sink.Delivered, e => e.Channel.ExternalId == "muted");
        Assert.DoesNotContain(sut.Sink.Edits, e => e.Entry.Channel.ExternalId == "muted");
        Assert.DoesNotContain(sut.Sink.Delivered, e => e.Channel.ExternalId == "quiet");

        // The trend counts saw every copy in every channel, muted or not.
        foreach (var channel in new[] { fast, slow, muted, quiet })
        {
            var counts = await actions.ListTermCountsAsync(channel.Id, Day, CancellationToken.None);
            Assert.Equal(Copies.Count, counts.Where(c => c.Term == "Qaani").Sum(c => c.Count));
        }

        Assert.Equal(0, (await sut.Store.GetOutboxStatsAsync(null, CancellationToken.None)).Pending);
    }
}
