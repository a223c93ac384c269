using System.Text.Json.Nodes;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Storage;
using AlertBot.Testing.Discord;
using AlertBot.Testing.Feeds;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The whole worker against a loopback Discord: slash commands arrive as INTERACTION_CREATE on the gateway, go through
/// the real Core command processor into the real SQLite store, are answered by a deferral then an edit of the
/// original response, and the alert the pipeline finds is posted to the channel over REST with its delivery marker.
/// </summary>
public sealed class DiscordEndToEndTests : IAsyncLifetime
{
    private const string ManageChannels = "16";
    private const string ViewAndSend = "3072"; // VIEW_CHANNEL | SEND_MESSAGES: no MANAGE_CHANNELS, no ADMINISTRATOR
    private const string OtherChannelId = "610000000000000002";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private FakeDiscordServer _discord = null!;
    private ServiceHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _discord = await FakeDiscordServer.StartAsync();
        _harness = await ServiceHarness.CreateAsync(DiscordSettings(_discord));
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _discord.DisposeAsync();
    }

    /// <summary>The Discord adapter (REST and gateway) pointed at the fake.</summary>
    internal static Dictionary<string, string?> DiscordSettings(FakeDiscordServer discord) => new()
    {
        ["AlertBot:Discord:BotToken"] = discord.BotToken,
        ["AlertBot:Discord:ApiBaseUrl"] = discord.ApiBaseUrl,
        ["AlertBot:Discord:GatewayUrl"] = discord.GatewayUrl,
        ["AlertBot:Discord:GlobalRequestsPerSecond"] = discord.GlobalLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AlertBot:Discord:RequestTimeoutSeconds"] = "5",
    };

    /// <summary>Takes the worker's gateway connection through Hello, Identify and READY.</summary>
    internal static async Task<FakeGatewayConnection> ConnectGatewayAsync(FakeDiscordServer discord)
    {
        var connection = await discord.AcceptGatewayAsync(Wait);
        await connection.SendHelloAsync(heartbeatIntervalMs: 45_000);
        var identify = await connection.ExpectAsync(2, Wait);
        Assert.Equal(discord.BotToken, (string?)identify["d"]!["token"]);
        await connection.SendReadyAsync("session-e2e", discord.ResumeGatewayUrl);
        return connection;
    }

    [Fact]
    public async Task A_member_with_Manage_Channels_subscribes_and_watches_a_member_without_is_refused_and_the_alert_is_posted_with_its_marker()
    {
        var host = await _harness.StartAsync();
        var store = host.Services.GetRequiredService<DapperAlertStore>();
        var gateway = await ConnectGatewayAsync(_discord);
        await _discord.WaitForRequestAsync(r => r.Method == "PUT" && r.Path.EndsWith("/commands", StringComparison.Ordinal), Wait);

        var subscribed = await InteractAsync(gateway, FakeDiscordInteractions.SlashCommand("alerts", "subscribe", permissions: ManageChannels));
        Assert.StartsWith("Alerts are on for this chat. Added 1 default feed.", subscribed, StringComparison.Ordinal);

        var watching = await InteractAsync(gateway, Watch("Houthis", ManageChannels));
        Assert.StartsWith("Watching \"Houthis\". It names Houthis, so it also matches:", watching, StringComparison.Ordinal);
        Assert.Contains("Ansar Allah", watching, StringComparison.Ordinal);

        var channelRef = new ChannelRef(Platforms.Discord, FakeDiscordInteractions.ChannelId);
        var channel = await store.GetChannelAsync(channelRef, CancellationToken.None);
        Assert.NotNull(channel);
        Assert.Equal("alerts", channel.Title);
        Assert.Equal([ServiceHarness.QuietTerm, "Houthis"], await ServiceHarness.TermsAsync(store, channel.Id));

        // Without Manage Channels: refused, and nothing changes, neither in another channel nor in this one.
        var elsewhere = FakeDiscordInteractions.SlashCommand("alerts", "subscribe", permissions: ViewAndSend);
        elsewhere["channel_id"] = OtherChannelId;
        elsewhere["channel"]!["id"] = OtherChannelId;
        Assert.Equal("Only an admin of this chat can subscribe this chat. Nothing was changed.", await InteractAsync(gateway, elsewhere));
        Assert.Null(await store.GetChannelAsync(new ChannelRef(Platforms.Discord, OtherChannelId), CancellationToken.None));
        Assert.Equal(
            "Only an admin of this chat can change the watchlist. Nothing was changed.",
            await InteractAsync(gateway, Watch("Qaani", ViewAndSend)));
        Assert.Equal([ServiceHarness.QuietTerm, "Houthis"], await ServiceHarness.TermsAsync(store, channel.Id));

        // A story naming the Houthis by another of their names appears after the feed's baseline.
        await ServiceHarness.WaitForBaselineAsync(host);
        var story = new SampleItem(
            "Ansar Allah claims a drone attack on a cargo ship",
            "https://news.example/ansar-allah-drone",
            "<p>Yemen's Ansar Allah said its drones hit a cargo ship on Monday.</p>",
            DateTimeOffset.UtcNow);
        _harness.Feeds.Set(ServiceHarness.FeedPath, LoopbackResponse.Text(SampleFeeds.Rss("Loopback", story)));

        var post = await _discord.WaitForRequestAsync(
            r => r.Method == "POST" && r.Path == $"/api/v10/channels/{FakeDiscordInteractions.ChannelId}/messages" && r.Status == 200,
            TimeSpan.FromSeconds(20));
        Assert.Equal($"Bot {_discord.BotToken}", post.Authorization);
        var message = Assert.Single(_discord.MessagesIn(FakeDiscordInteractions.ChannelId));
        var embed = message.Body["embeds"]![0]!;
        Assert.Matches(@" · ab1-[0-9a-f]{20}$", (string?)embed["footer"]!["text"]);
        Assert.Equal(story.Title, (string?)embed["title"]);
        Assert.Equal(story.Link, (string?)embed["url"]);
        Assert.Contains("Houthis", embed.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(message.Body["allowed_mentions"]!["parse"]!.AsArray());

        Assert.Empty(_discord.MessagesIn(OtherChannelId));
        Assert.Equal(0, _discord.UnexpectedRateLimitCount);
        await ServiceHarness.WaitUntilAsync(async () => await _harness.PendingAsync() == 0, Wait, "the alert marked delivered");
    }

    private static JsonObject Watch(string term, string permissions) =>
        FakeDiscordInteractions.SlashCommand("watch", "add", new Dictionary<string, JsonNode?> { ["term"] = term }, permissions);

    /// <summary>Dispatches the interaction and returns the content of the edit that replaced its deferral.</summary>
    private async Task<string> InteractAsync(FakeGatewayConnection gateway, JsonObject interaction)
    {
        var token = (string)interaction["token"]!;
        await gateway.SendDispatchAsync("INTERACTION_CREATE", interaction);
        var edit = await _discord.WaitForRequestAsync(
            r => r.Method == "PATCH" && r.Path.Contains(token, StringComparison.Ordinal) && r.Status == 200, Wait);
        var deferral = _discord.Requests.Single(r => r.Path == $"/api/v10/interactions/{interaction["id"]}/{token}/callback");
        Assert.Equal(5, (int?)deferral.Json!["type"]);
        Assert.True(deferral.Sequence < edit.Sequence);
        Assert.Equal($"/api/v10/webhooks/{FakeDiscordServer.ApplicationId}/{token}/messages/@original", edit.Path);
        return (string)edit.Json!["content"]!;
    }
}
