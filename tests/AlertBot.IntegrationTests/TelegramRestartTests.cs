using AlertBot.Core.Channels;
using AlertBot.Testing.Telegram;
using Xunit.Abstractions;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The worker restarted while a Telegram delivery queue drains: after a graceful stop nothing is lost or sent twice;
/// after SIGKILL nothing is lost and a chat sees at most the one message that was in flight twice (Telegram has no
/// idempotency key, so a message it accepted just before the kill cannot be told apart from one it never got).
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)] // starts and SIGKILLs the real process
public sealed class TelegramRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int PerChat = 20;
    private static readonly string[] Chats = ["5001", "5002", "5003"];

    // Faster than Telegram's one message per chat per second, on both sides, so the queue takes seconds, not minutes.
    private static readonly FakeTelegramLimits Limits = new(TimeSpan.FromMilliseconds(150), 20, TimeSpan.FromMinutes(1), 30, TimeSpan.FromSeconds(1));

    private FakeTelegramServer _telegram = null!;
    private ServiceHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _telegram = await FakeTelegramServer.StartAsync(limits: Limits);
        var settings = TelegramEndToEndTests.TelegramSettings(_telegram);
        settings["AlertBot:Telegram:PerChatInterval"] = "00:00:00.150";
        _harness = await ServiceHarness.CreateAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    [Fact]
    public async Task After_a_graceful_stop_mid_queue_a_new_host_delivers_the_rest_in_order_and_nothing_twice()
    {
        var expected = await _harness.EnqueueAlertsAsync(Platforms.Telegram, Chats, PerChat);

        var first = await _harness.StartAsync();
        await ServiceHarness.WaitUntilAsync(() => _telegram.Sent.Count >= 10, TimeSpan.FromSeconds(15), "the first alerts");
        await ServiceHarness.StopAsync(first);
        var beforeRestart = _telegram.Sent.Count;
        output.WriteLine($"{beforeRestart} of {PerChat * Chats.Length} delivered before the stop");
        Assert.InRange(beforeRestart, 10, (PerChat * Chats.Length) - 1);

        // The stop ended the drain after the sends in flight, inside the limits. (The new host's limiter cannot know
        // when the old one last sent, so it may draw a 429 or two at once; those are retried after retry_after.)
        Assert.Equal(0, _telegram.LimitRejections);

        await _harness.StartAsync();
        await WaitForEverythingAsync(expected);

        foreach (var (chat, titles) in expected)
        {
            Assert.Equal(titles, TitlesIn(chat));
        }
    }

    [Fact]
    public async Task After_SIGKILL_mid_queue_a_new_host_delivers_the_rest_in_order_with_at_most_one_duplicate_per_chat()
    {
        var expected = await _harness.EnqueueAlertsAsync(Platforms.Telegram, Chats, PerChat);
        var environment = _harness.Settings
            .Where(s => s.Value is not null)
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

        using (var worker = WorkerProcess.Start(environment, "run"))
        {
            await ServiceHarness.WaitUntilAsync(
                () => worker.HasExited || _telegram.Sent.Count >= 10,
                TimeSpan.FromSeconds(25),
                "the worker process to deliver its first alerts");
            Assert.False(worker.HasExited, worker.StandardError);
            worker.KillHard();
        }

        var beforeRestart = _telegram.Sent.Count;
        output.WriteLine($"{beforeRestart} of {PerChat * Chats.Length} delivered before the kill");
        Assert.True(beforeRestart < PerChat * Chats.Length, "the queue had drained before the kill");

        await _harness.StartAsync();
        await WaitForEverythingAsync(expected);

        foreach (var (chat, titles) in expected)
        {
            var received = TitlesIn(chat);

            // A duplicate can only be the message in flight at the kill, sent again at once: merging repeats in a row
            // must give the queue back exactly.
            Assert.Equal(titles, ServiceHarness.WithoutRepeats(received));
            Assert.InRange(received.Count - titles.Count, 0, 1);
        }
    }

    private Task WaitForEverythingAsync(Dictionary<string, List<string>> expected) =>
        _harness.WaitForDeliveryAsync(expected, TitlesIn, TimeSpan.FromSeconds(20));

    private IReadOnlyList<string> TitlesIn(string chat) => ServiceHarness.TelegramTitles(_telegram, chat);
}
