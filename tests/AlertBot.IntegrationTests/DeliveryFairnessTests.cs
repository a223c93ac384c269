using AlertBot.Core.Persistence;

namespace AlertBot.IntegrationTests;

/// <summary>
/// A channel with a backlog (each send waits for its platform's limit) does not hold back the other channels: after
/// its turn (<c>AlertBot:Delivery:ChannelTurn</c>) it yields, and an alert queued for another channel meanwhile goes
/// out before the backlog is done, while the backlog itself keeps its order.
/// </summary>
public sealed class DeliveryFairnessTests
{
    [Fact]
    public async Task An_alert_for_a_quiet_channel_does_not_wait_for_another_channels_backlog()
    {
        await using var harness = await PipelineHarness.StartAsync(
            new Dictionary<string, string?> { ["AlertBot:Delivery:ChannelTurn"] = "00:00:02" },
            ("seeds/seed-feed.xml", 0));
        var busy = await harness.AddChannelAsync("busy");
        var quiet = await harness.AddChannelAsync("quiet");
        var backlog = Enumerable.Range(1, 6).Select(n => $"Backlog {n}").ToList();
        await harness.Store.EnqueueAsync(
            [.. backlog.Select((t, i) => new NewAlert(busy.Id, $"busy-{i}", ServiceHarness.Message(t, i)))],
            harness.Time.GetUtcNow(),
            CancellationToken.None);

        var quietQueued = 0;
        harness.Sink.Rule = entry =>
        {
            if (entry.Channel.ExternalId == "busy")
            {
                // Each backlog send waits a second for the platform's limit (as a group's 20 a minute makes it wait).
                harness.Time.Advance(TimeSpan.FromSeconds(1));
                if (Interlocked.Exchange(ref quietQueued, 1) == 0)
                {
                    // News for the quiet channel arrives while the backlog is being sent, after the drain's claim.
                    harness.Store.EnqueueAsync(
                        [new NewAlert(quiet.Id, "quiet-0", ServiceHarness.Message("Quiet news", 0))],
                        harness.Time.GetUtcNow(),
                        CancellationToken.None).GetAwaiter().GetResult();
                }
            }

            return null; // delivered
        };

        var round = await harness.DeliverAsync();

        Assert.Equal(7, round.Delivered);
        Assert.Equal(backlog, harness.TitlesFor("busy")); // the backlog in its order, each once
        Assert.Equal(["Quiet news"], harness.TitlesFor("quiet"));
        var order = harness.Sink.Delivered.Select(e => e.Message.Title).ToList();

        // Without the turn the whole backlog (6 seconds of sends) went first; with it, the quiet channel's alert is
        // taken by the drain that follows the backlog's first turn, so it goes out before the backlog's last alerts.
        Assert.True(
            order.IndexOf("Quiet news") < order.IndexOf("Backlog 5"),
            "delivery order: " + string.Join(", ", order));
    }
}
