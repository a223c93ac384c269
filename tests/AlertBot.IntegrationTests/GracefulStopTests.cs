using AlertBot.Core.Alerts;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>
/// A stop asked for in the middle of a drain: the send in flight finishes and is recorded as delivered, no other send
/// starts, and what was not sent stays queued, in order, for the next start.
/// </summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task A_stop_during_a_send_lets_it_finish_and_starts_no_other()
    {
        await using var harness = await PipelineHarness.StartAsync(("seeds/seed-feed.xml", 0));
        var channel = await harness.AddChannelAsync("ops");
        var titles = Enumerable.Range(1, 5).Select(n => $"Alert {n}").ToList();
        await harness.Store.EnqueueAsync(
            [.. titles.Select((t, i) => new NewAlert(channel.Id, $"item-{i}", ServiceHarness.Message(t, i)))],
            harness.Time.GetUtcNow(),
            CancellationToken.None);

        using var stopping = new CancellationTokenSource();
        harness.Sink.AnswerNext(entry =>
        {
            // The host starts stopping while this alert is on its way; the platform still takes it.
            stopping.Cancel();
            return new DeliveryResult.Delivered($"m{entry.Id}");
        });
        var delivery = harness.Services.GetRequiredService<DeliveryService>();
        var round = await delivery.DeliverAllDueAsync(CancellationToken.None, stopping.Token);

        Assert.Equal(1, round.Delivered);
        Assert.Equal(1, harness.Sink.Attempts);
        var stats = await harness.Store.GetOutboxStatsAsync(channel.Id, CancellationToken.None);
        Assert.Equal(4, stats.Pending);
        Assert.NotNull(stats.LastDeliveredAt);

        // The next start sends the rest, in order, and never the first again.
        await harness.RestartAsync();
        await harness.DeliverAsync();
        Assert.Equal(titles.Skip(1), harness.TitlesFor("ops"));
        Assert.Equal(5, harness.Sink.Attempts);
    }
}
