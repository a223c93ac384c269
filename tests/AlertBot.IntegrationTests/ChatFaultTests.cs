using AlertBot.Core.Channels;
using AlertBot.Testing.Discord;
using AlertBot.Testing.Faults;
using AlertBot.Testing.Telegram;
using Xunit.Abstractions;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The chat APIs misbehave on about 30 % of sends (5xx, 429 with retry_after, answers held past the client's timeout,
/// cut connections): the worker still delivers every alert, each chat's alerts in order. On Discord a retry of a send
/// whose outcome is unknown first looks for the alert's delivery marker in the channel, so it posts nothing new; Telegram has no such key, so there a duplicate is allowed only
/// for a send the fake accepted and then lost the answer to.
/// </summary>
public sealed class ChatFaultTests(ITestOutputHelper output)
{
    private const int PerChat = 9;
    private const double FaultRate = 0.3;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(25);

    [Fact]
    public async Task Telegram_every_alert_arrives_in_order_through_faults_and_duplicates_only_follow_lost_answers()
    {
        string[] chats = ["6001", "6002", "6003", "6004"];
        await using var telegram = await FakeTelegramServer.StartAsync(
            limits: new FakeTelegramLimits(TimeSpan.FromMilliseconds(100), 20, TimeSpan.FromMinutes(1), 30, TimeSpan.FromSeconds(1)));
        var faults = new FaultInjector(seed: 20261127, FaultRate) { HangFor = TimeSpan.FromSeconds(1.5), RetryAfter = TimeSpan.FromSeconds(1) };
        telegram.Faults = faults;
        var settings = TelegramEndToEndTests.TelegramSettings(telegram);
        settings["AlertBot:Telegram:PerChatInterval"] = "00:00:00.100";
        settings["AlertBot:Telegram:RequestTimeout"] = "00:00:01"; // shorter than the fake's held answers
        await using var harness = await ServiceHarness.CreateAsync(settings);
        var expected = await harness.EnqueueAlertsAsync(Platforms.Telegram, chats, PerChat);

        await harness.StartAsync();
        IReadOnlyList<string> TitlesIn(string chat) => ServiceHarness.TelegramTitles(telegram, chat);
        await harness.WaitForDeliveryAsync(expected, TitlesIn, Deadline);

        var duplicates = 0;
        foreach (var (chat, titles) in expected)
        {
            var received = TitlesIn(chat);
            Assert.Equal(titles, ServiceHarness.WithoutRepeats(received));
            duplicates += received.Count - titles.Count;
        }

        output.WriteLine($"Telegram: {faults}; {telegram.CallCount("sendMessage")} sendMessage calls, {duplicates} duplicates");
        Assert.True(duplicates <= faults.LostResponses, $"{duplicates} duplicates but only {faults.LostResponses} answers were lost after the fake accepted the message");
        AssertEveryKindOfFault(faults);
    }

    [Fact]
    public async Task Discord_every_alert_arrives_once_in_order_through_faults_thanks_to_the_marker()
    {
        string[] channels = ["620000000000000001", "620000000000000002", "620000000000000003", "620000000000000004"];
        await using var discord = await FakeDiscordServer.StartAsync();
        var faults = new FaultInjector(seed: 20261127, FaultRate) { HangFor = TimeSpan.FromSeconds(1.5), RetryAfter = TimeSpan.FromMilliseconds(300) };
        discord.Faults = faults;
        var settings = DiscordEndToEndTests.DiscordSettings(discord);
        settings["AlertBot:Discord:RequestTimeoutSeconds"] = "1"; // shorter than the fake's held answers
        await using var harness = await ServiceHarness.CreateAsync(settings);
        var expected = await harness.EnqueueAlertsAsync(Platforms.Discord, channels, PerChat);

        await harness.StartAsync();
        await DiscordEndToEndTests.ConnectGatewayAsync(discord);
        IReadOnlyList<string> TitlesIn(string channel) => [.. discord.MessagesIn(channel).Select(m => (string)m.Body["embeds"]![0]!["title"]!)];
        await harness.WaitForDeliveryAsync(expected, TitlesIn, Deadline);

        output.WriteLine($"Discord: {faults}; {discord.Requests.Count(r => r.Method == "POST" && r.Path.Contains("/messages", StringComparison.Ordinal))} create-message calls");
        foreach (var (channel, titles) in expected)
        {
            Assert.Equal(titles, TitlesIn(channel));
            var markers = discord.MessagesIn(channel).Select(m => (string)m.Body["embeds"]![0]!["footer"]!["text"]!).Select(f => f[f.LastIndexOf("ab1-", StringComparison.Ordinal)..]).ToList();
            Assert.All(markers, n => Assert.Matches(@"^ab1-[0-9a-f]{20}$", n));
            Assert.Equal(markers.Count, markers.Distinct().Count());
        }

        // Retries of sends whose answer was lost happened, and found their message already posted.
        Assert.True(faults.LostResponses > 0, faults.ToString());
        foreach (var request in discord.Requests.Where(r => r.Method == "POST"))
        {
            output.WriteLine($"{request.Sequence} {request.At.TotalMilliseconds:0} {request.Path} {request.Status} {request.Fault}");
        }

        Assert.Equal(0, discord.UnexpectedRateLimitCount);
        AssertEveryKindOfFault(faults);
    }

    /// <summary>The seeded draws hit every kind of fault, so the run proved what it claims.</summary>
    private static void AssertEveryKindOfFault(FaultInjector faults)
    {
        foreach (var kind in Enum.GetValues<ChatFault>().Where(k => k != ChatFault.None))
        {
            Assert.True(faults.Count(kind) > 0, $"no {kind} was injected: {faults}");
        }
    }
}
