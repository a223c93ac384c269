using System.Globalization;
using System.Text.Json.Nodes;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Storage;
using AlertBot.Testing.Discord;
using AlertBot.Testing.Feeds;
using AlertBot.Testing.Telegram;
using AlertBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The whole worker against a loopback Bot API with Telegram's real rate limits: commands arrive through getUpdates,
/// go through the real Core command processor into the real SQLite store, and the alert the pipeline finds is sent
/// back to the chat as HTML.
/// </summary>
public sealed class TelegramEndToEndTests : IAsyncLifetime
{
    private const long Group = -1001234567890;
    private const long Admin = 4101;
    private const long Member = 4102;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private FakeTelegramServer _telegram = null!;
    private ServiceHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _telegram = await FakeTelegramServer.StartAsync();
        _harness = await ServiceHarness.CreateAsync(TelegramSettings(_telegram));
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    /// <summary>The Telegram adapter pointed at the fake; short polls so a stop never waits on one.</summary>
    internal static Dictionary<string, string?> TelegramSettings(FakeTelegramServer telegram) => new()
    {
        ["AlertBot:Telegram:Token"] = telegram.Token,
        ["AlertBot:Telegram:ApiBaseUrl"] = telegram.BaseUrl,
        ["AlertBot:Telegram:PollTimeout"] = "00:00:02",
        ["AlertBot:Telegram:ErrorBackoffInitial"] = "00:00:00.050",
        ["AlertBot:Telegram:ErrorBackoffMax"] = "00:00:00.500",
    };

    [Fact]
    public async Task A_group_admin_subscribes_and_watches_a_phrase_the_alert_arrives_as_HTML_and_a_member_cannot_change_it()
    {
        _telegram.SetMember(Group, Admin, "administrator");
        var host = await _harness.StartAsync();
        var store = host.Services.GetRequiredService<DapperAlertStore>();

        var subscribed = await CommandAsync(Admin, "/subscribe");
        Assert.Contains("Alerts are on for this chat.", subscribed.PlainText, StringComparison.Ordinal);
        Assert.Contains("Added 1 default feed.", subscribed.PlainText, StringComparison.Ordinal);

        var watching = await CommandAsync(Admin, "/watch add \"Red Sea\"");
        Assert.StartsWith("Watching \"Red Sea\". It names Red Sea, so it also matches: Bab el-Mandeb", watching.PlainText, StringComparison.Ordinal);
        var channel = await store.GetChannelAsync(new ChannelRef(Platforms.Telegram, Group.ToString(CultureInfo.InvariantCulture)), CancellationToken.None);
        Assert.NotNull(channel);
        Assert.True(channel.Active);
        Assert.Equal("Test group", channel.Title);
        Assert.Equal([ServiceHarness.QuietTerm, "Red Sea"], await ServiceHarness.TermsAsync(store, channel.Id));

        // A story about the Red Sea appears in the feed after its baseline: the next scheduled poll finds it.
        await ServiceHarness.WaitForBaselineAsync(host);
        var story = new SampleItem(
            "Tanker struck off Hodeidah",
            "https://news.example/red-sea?id=7&src=rss",
            "<p>A tanker was struck in the Red Sea on Tuesday, the maritime agency said.</p>",
            DateTimeOffset.UtcNow);
        _harness.Feeds.Set(ServiceHarness.FeedPath, LoopbackResponse.Text(SampleFeeds.Rss("Loopback", story)));

        var alert = await _telegram.WaitForMessageAsync(m => m.ChatId == Group && m.ReplyTo is null, TimeSpan.FromSeconds(20));
        Assert.Equal("HTML", alert.ParseMode, ignoreCase: true);
        Assert.StartsWith("<b><a href=\"https://news.example/red-sea?id=7&amp;src=rss\">Tanker struck off Hodeidah</a></b>", alert.Html, StringComparison.Ordinal);
        Assert.Contains("A tanker was struck in the Red Sea on Tuesday", alert.PlainText, StringComparison.Ordinal);
        Assert.Contains("Red Sea", alert.PlainText[alert.PlainText.IndexOf("Tuesday", StringComparison.Ordinal)..], StringComparison.Ordinal);

        // A plain member may not change the watchlist: Telegram is asked, the refusal says so, nothing changes.
        var refused = await CommandAsync(Member, "/watch remove \"Red Sea\"");
        Assert.Equal("Only an admin of this chat can change the watchlist. Nothing was changed.", refused.PlainText);
        Assert.Contains(_telegram.Calls, c => c.Method == "getChatMember" && (long?)c.Body["user_id"] == Member);
        Assert.Equal([ServiceHarness.QuietTerm, "Red Sea"], await ServiceHarness.TermsAsync(store, channel.Id));

        // Anyone may ask for the status.
        var status = await CommandAsync(Member, "/status");
        Assert.StartsWith("Status: subscribed\nWatch terms: 2 of 100\nLast alert: 20", status.PlainText, StringComparison.Ordinal);
        Assert.Contains("Alerts queued: 0", status.PlainText, StringComparison.Ordinal);
        Assert.Contains("Loopback: ok (last poll", status.PlainText, StringComparison.Ordinal);

        // One alert, sent once, and not a single message the limits refused.
        Assert.Single(_telegram.SentTo(Group), m => m.ReplyTo is null);
        Assert.Equal(0, _telegram.LimitRejections);
        Assert.All(_telegram.SentTo(Group), m => Assert.Equal("HTML", m.ParseMode, ignoreCase: true));
    }

    [Fact]
    public async Task An_alert_a_poll_queues_goes_out_at_once_not_at_the_delivery_jobs_next_interval()
    {
        // The delivery job drains once at start, then not for an hour: only the poll's wake-up can send the alert.
        _harness.Settings["AlertBot:Delivery:Interval"] = "01:00:00";
        _telegram.SetMember(Group, Admin, "administrator");
        var host = await _harness.StartAsync();
        await CommandAsync(Admin, "/subscribe");
        await CommandAsync(Admin, "/watch add \"Red Sea\"");
        await ServiceHarness.WaitForBaselineAsync(host);

        var story = new SampleItem("Tanker struck off Hodeidah", "https://news.example/red-sea?id=8", "<p>A tanker was struck in the Red Sea.</p>", DateTimeOffset.UtcNow);
        _harness.Feeds.Set(ServiceHarness.FeedPath, LoopbackResponse.Text(SampleFeeds.Rss("Loopback", story)));

        var alert = await _telegram.WaitForMessageAsync(m => m.ChatId == Group && m.ReplyTo is null, TimeSpan.FromSeconds(30));
        Assert.Contains("Tanker struck off Hodeidah", alert.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_fresh_database_the_migrations_run_before_any_chat_receiver_or_the_scheduler_starts()
    {
        // The receiver reads its saved update offset as soon as it starts: before the migrations that read failed with
        // "no such table", the receiver died and took the host down with it, now and then, on a first start.
        await using var discord = await FakeDiscordServer.StartAsync();
        var settings = new Dictionary<string, string?>(_harness.Settings);
        foreach (var (key, value) in DiscordEndToEndTests.DiscordSettings(discord))
        {
            settings[key] = value;
        }

        await using var host = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, settings).Build();
        var started = host.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();

        var bootstrapper = started.IndexOf(nameof(Bootstrapper));
        Assert.InRange(bootstrapper, 0, started.IndexOf("TelegramUpdateReceiver") - 1);
        Assert.InRange(bootstrapper, 0, started.IndexOf("DiscordGatewayService") - 1);
        Assert.InRange(bootstrapper, 0, started.IndexOf("QuartzHostedService") - 1);
    }

    /// <summary>Sends a command as a getUpdates update and returns the bot's reply to it.</summary>
    private async Task<SentMessage> CommandAsync(long from, string text)
    {
        var message = _telegram.MessageJson(Group, from, text);
        var messageId = (int)message["message_id"]!;
        _telegram.EnqueueUpdate(new JsonObject { ["message"] = message });
        return await _telegram.WaitForMessageAsync(m => m.ChatId == Group && m.ReplyTo == messageId, Wait);
    }
}
