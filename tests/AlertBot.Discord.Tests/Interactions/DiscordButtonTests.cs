using System.Globalization;
using AlertBot.Core.Actions;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Core.Watchlists;
using AlertBot.Discord.Alerts;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Discord;
using AlertBot.Testing.Storage;

namespace AlertBot.Discord.Tests.Interactions;

/// <summary>
/// The buttons under a Discord alert: posted as message components the fake accepts, pressed as component
/// interactions through the gateway into Core's real command processor and a real SQLite store.
/// </summary>
public sealed class DiscordButtonTests : IDisposable
{
    private const string Admin = "16"; // MANAGE_CHANNELS
    private const string Member = "3072"; // VIEW_CHANNEL | SEND_MESSAGES

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("alertbot-discord-buttons-");
    private readonly SqliteAlertStore _store;

    public DiscordButtonTests() =>
        _store = new SqliteAlertStore($"Data Source={Path.Combine(_directory.FullName, "alertbot.db")};Pooling=False");

    public void Dispose()
    {
        _store.Dispose();
        _directory.Delete(recursive: true);
    }

    private async Task<(DiscordTestHost Host, FakeGatewayConnection Connection)> StartAsync()
    {
        await _store.MigrateAsync(CancellationToken.None);
        return await DiscordTestHost.StartWithCommandsAsync(_store, new ActorDictionary([new Actor("Qaani", ["Qaani", "Ghaani"])]), "Qaani");
    }

    private static Task<string> PressAsync(DiscordTestHost host, FakeGatewayConnection connection, string customId, string messageId, string permissions) =>
        host.InteractAsync(connection, FakeDiscordInteractions.ButtonPress(customId, messageId, permissions));

    [Fact]
    public async Task Buttons_are_posted_under_the_alert_and_each_does_what_it_says_with_the_admin_rule()
    {
        var (host, connection) = await StartAsync();
        await using var owned = host;
        var now = DateTimeOffset.UtcNow;
        var channel = await _store.EnsureChannelAsync(DiscordTarget.Channel(FakeDiscordInteractions.ChannelId), "alerts", now, CancellationToken.None);
        await _store.AddWatchTermAsync(channel.Id, "Qaani", now, CancellationToken.None);
        await _store.EnqueueAsync([new NewAlert(channel.Id, "item-1", TestAlerts.Message())], now, CancellationToken.None);
        var entry = Assert.Single(await _store.ClaimDueAsync(now.AddSeconds(1), 10, CancellationToken.None));

        var delivered = Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(entry, CancellationToken.None));
        await _store.MarkDeliveredAsync(entry.Id, now, delivered.PlatformMessageId, CancellationToken.None);

        var posted = Assert.Single(host.Server.MessagesIn(FakeDiscordInteractions.ChannelId));
        var buttons = posted.Body["components"]![0]!["components"]!.AsArray();
        var id = entry.Id.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(["Why?", "Mute story", "Mute term 24 h"], buttons.Select(b => (string)b!["label"]!));
        Assert.Equal([$"ab1:w:{id}", $"ab1:s:{id}", $"ab1:t:{id}:0"], buttons.Select(b => (string)b!["custom_id"]!));

        var why = await PressAsync(host, connection, $"ab1:w:{id}", posted.Id, Member);
        Assert.Equal("Why: Qaani as \"Ghaani\" in the text: \"Esmail Ghaani arrived in Baghdad on Tuesday.\"", why);

        var refused = await PressAsync(host, connection, $"ab1:s:{id}", posted.Id, Member);
        Assert.StartsWith("Only an admin of this chat can mute a story", refused, StringComparison.Ordinal);
        Assert.Empty(await _store.FindMutedStoriesAsync([entry.Id], CancellationToken.None));

        var muted = await PressAsync(host, connection, $"ab1:s:{id}", posted.Id, Admin);
        Assert.StartsWith("Story muted", muted, StringComparison.Ordinal);
        Assert.Equal([entry.Id], await _store.FindMutedStoriesAsync([entry.Id], CancellationToken.None));

        var term = await PressAsync(host, connection, $"ab1:t:{id}:0", posted.Id, Admin);
        Assert.StartsWith("\"Qaani\" is muted until ", term, StringComparison.Ordinal);
        Assert.Equal("Qaani", Assert.Single(await _store.ListTermMutesAsync([channel.Id], DateTimeOffset.UtcNow, CancellationToken.None)).Term);

        var forged = await PressAsync(host, connection, "ab1:s:999999", posted.Id, Admin);
        Assert.StartsWith("This button belongs to an alert I no longer have", forged, StringComparison.Ordinal);
        var garbage = await PressAsync(host, connection, "something-else", posted.Id, Admin);
        Assert.Equal("This button no longer works. Nothing was changed.", garbage);
    }

    [Fact]
    public async Task Trend_answers_with_the_png_chart_as_an_attachment_in_an_embed()
    {
        var (host, connection) = await StartAsync();
        await using var owned = host;
        var now = DateTimeOffset.UtcNow;
        var channel = await _store.EnsureChannelAsync(DiscordTarget.Channel(FakeDiscordInteractions.ChannelId), "alerts", now, CancellationToken.None);
        await _store.AddWatchTermAsync(channel.Id, "Qaani", now, CancellationToken.None);
        var feed = await _store.UpsertFeedAsync(new FeedDefinition("https://feed.example/rss", "Feed", TimeSpan.FromMinutes(5)), now, CancellationToken.None);
        await _store.CommitPollAsync(
            new PollCommit(feed.Id, [], [], new Core.Feeds.FeedValidators(null, null), now)
            {
                TermHits = [new TermHourCount(channel.Id, "Qaani", AlertActionPlanner.HourOf(now), 5)],
            },
            CancellationToken.None);

        var interaction = FakeDiscordInteractions.SlashCommand("trend", null, new Dictionary<string, System.Text.Json.Nodes.JsonNode?> { ["period"] = "24h" }, Member);
        var token = (string)interaction["token"]!;
        await connection.SendDispatchAsync("INTERACTION_CREATE", interaction);

        var text = await host.Server.WaitForRequestAsync(r => r.Method == "PATCH" && r.Path.Contains(token, StringComparison.Ordinal));
        Assert.StartsWith("Trend, last 24h: Qaani 5 matched items.", (string)text.Json!["content"]!, StringComparison.Ordinal);
        var upload = await host.Server.WaitForRequestAsync(r => r.Method == "POST" && r.Path.Contains(token, StringComparison.Ordinal) && r.FileBytes.Count > 0);
        Assert.Equal("attachment://trend-24h.png", (string)upload.Json!["embeds"]![0]!["image"]!["url"]!);
        using var bitmap = SkiaSharp.SKBitmap.Decode(upload.FileBytes["trend-24h.png"]);
        Assert.Equal((800, 400), (bitmap.Width, bitmap.Height));
        Assert.True(Enumerable.Range(0, 100).Select(i => bitmap.GetPixel(i * 8, i * 4)).Distinct().Count() > 3, "the chart is blank");
    }

    [Fact]
    public async Task An_escalation_replies_to_the_alert_and_mentions_only_the_chosen_role()
    {
        await using var host = await DiscordTestHost.StartAsync();
        var target = DiscordTarget.Channel(FakeDiscordInteractions.ChannelId);
        var alert = Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(TestAlerts.Entry(1, target), CancellationToken.None));
        var breaking = AlertActionPlanner.Escalation(TestAlerts.Message(), ["A", "B", "C", "D"], TimeSpan.FromMinutes(9), roleId: "670000000000000001");
        var entry = TestAlerts.Entry(2, target, breaking) with { RefersTo = 1, RefersToMessageId = alert.PlatformMessageId };

        Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(entry, CancellationToken.None));

        var sent = host.Server.MessagesIn(FakeDiscordInteractions.ChannelId)[^1].Body;
        Assert.Equal(alert.PlatformMessageId, (string?)sent["message_reference"]!["message_id"]);
        Assert.Equal("<@&670000000000000001>", (string?)sent["content"]);
        Assert.Equal(["670000000000000001"], sent["allowed_mentions"]!["roles"]!.AsArray().Select(r => (string?)r));
        Assert.Empty(sent["allowed_mentions"]!["parse"]?.AsArray() ?? []);
        Assert.Equal("Breaking: 4 outlets in 9 minutes", (string?)sent["embeds"]![0]!["title"]);
        Assert.Null(sent["components"]);
    }
}
