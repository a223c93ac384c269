using System.Text;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Stories;
using AlertBot.Testing.Feeds;
using AlertBot.Testing.Stories;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AlertBot.IntegrationTests;

/// <summary>
/// Two instances (each its own host: store, PollService, story planner) on one PostgreSQL schema poll two feeds that
/// carry one story at the same moment: the "is this a new story?" decision is exclusive across instances, so each
/// channel gets one alert naming both outlets, never two alerts.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)] // two instances on one PostgreSQL database
public sealed class StoryScaleOutTests : IAsyncLifetime
{
    private const int Rounds = 12;

    private PostgresTestSchema _schema = null!;
    private LoopbackFeedServer _feeds = null!;

    // Both feeds answer only once both requests of a round have arrived, so the two polls plan at the same time.
    private readonly Lock _gate = new();
    private int _arrived;
    private TaskCompletionSource _bothArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string[] _documents = new string[2];

    public async Task InitializeAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        _feeds = await LoopbackFeedServer.StartAsync();
        for (var f = 0; f < 2; f++)
        {
            var feed = f;
            _feeds.Set($"/feed{f}", new LoopbackResponse { Handler = context => ServeAsync(feed, context) });
        }
    }

    public async Task DisposeAsync()
    {
        await _feeds.DisposeAsync();
        await _schema.DisposeAsync();
    }

    private async Task ServeAsync(int feed, HttpContext context)
    {
        Task both;
        lock (_gate)
        {
            if (++_arrived == 2)
            {
                _bothArrived.TrySetResult();
            }

            both = _bothArrived.Task;
        }

        await both.WaitAsync(TimeSpan.FromSeconds(30));
        var body = Encoding.UTF8.GetBytes(_documents[feed]);
        context.Response.ContentType = "application/rss+xml; charset=utf-8";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }

    private void NextRound(int round, DateTimeOffset at)
    {
        // Even rounds: the second copy has the same headline (joins by title); odd rounds: a rewritten headline over
        // the same wire copy (joins by SimHash). Links are new every round, so each round is a new story.
        var second = round % 2 == 0 ? 1 : 3;
        foreach (var (feed, copy) in new[] { (0, 0), (1, second) })
        {
            var (outlet, title, link, text) = WireStories.QaaniCopies[copy];
            var separator = link.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            _documents[feed] = SampleFeeds.Rss(outlet, new SampleItem(title, $"{link}{separator}round={round}", $"<p>{text}</p>", at));
        }

        lock (_gate)
        {
            _arrived = 0;
            _bothArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    [Fact]
    public async Task Two_instances_polling_two_feeds_of_one_story_at_once_alert_each_channel_once()
    {
        var settings = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:Provider"] = "postgres",
            ["AlertBot:Storage:ConnectionString"] = _schema.ConnectionString,
        };
        (string, int)[] feeds = [(_feeds.Url("/feed0"), 0), (_feeds.Url("/feed1"), 0)];
        _documents[0] = _documents[1] = SampleFeeds.Rss("Empty"); // what the start-up and baseline polls find

        await using var one = await PipelineHarness.StartAsync(settings, feeds);
        await using var two = await PipelineHarness.StartAsync(settings, feeds);
        var a = await one.AddChannelAsync("a", "Qaani");
        var b = await one.AddChannelAsync("b", "Kataib Hezbollah");
        var feedIds = (await one.Store.ListFeedsAsync(CancellationToken.None)).Where(f => f.Url.Contains("/feed", StringComparison.Ordinal)).OrderBy(f => f.Url).Select(f => f.Id).ToArray();
        Assert.Equal(2, feedIds.Length);

        async Task<PollOutcome[]> PollBothAsync() => await Task.WhenAll(
            Task.Run(() => one.Services.GetRequiredService<PollService>().PollAsync(feedIds[0], CancellationToken.None)),
            Task.Run(() => two.Services.GetRequiredService<PollService>().PollAsync(feedIds[1], CancellationToken.None)));

        await PollBothAsync(); // baselines

        for (var round = 0; round < Rounds; round++)
        {
            // Past the story window, so this round's story cannot join the last one's.
            one.Time.Advance(TimeSpan.FromHours(49));
            two.Time.Advance(TimeSpan.FromHours(49));
            NextRound(round, one.Time.GetUtcNow());
            var outcomes = await PollBothAsync();
            Assert.All(outcomes, o => Assert.Equal(PollStatus.Polled, o.Status));
            Assert.All(outcomes, o => Assert.Equal(1, o.NewItems));
        }

        // Every round: one alert per channel, which the other copy joined (two outlets), whichever instance won.
        var stories = one.Services.GetRequiredService<IStoryStore>();
        foreach (var channel in new[] { a.Id, b.Id })
        {
            var alerts = await stories.ListStoryAlertsAsync([channel], DateTimeOffset.MinValue, CancellationToken.None);
            Assert.Equal(Rounds, alerts.Count);
            Assert.All(alerts, alert => Assert.Single(alert.Message.AlsoSources));
        }

        await using var connection = new NpgsqlConnection(_schema.ConnectionString);
        var kinds = (await connection.QueryAsync<(long Channel, string Kind, long Count)>(
            "SELECT channel_id, kind, count(*) FROM outbox GROUP BY channel_id, kind")).ToList();
        Assert.Equal(2 * Rounds, kinds.Where(k => k.Kind == "alert").Sum(k => k.Count));
        Assert.DoesNotContain(kinds, k => k.Kind != "alert" && k.Kind != "update");
    }
}
