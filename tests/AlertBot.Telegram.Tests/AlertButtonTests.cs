using System.Globalization;
using System.Text;
using AlertBot.Core.Actions;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Summaries;
using AlertBot.Testing.Telegram;

namespace AlertBot.Telegram.Tests;

/// <summary>
/// The buttons under an alert, pressed as callback queries against the fake Bot API with the real Telegram.Bot client,
/// acting on a real SQLite store: each does what it says, admin rules hold in groups, forged and stale buttons change
/// nothing, and every press is answered.
/// </summary>
public sealed class AlertButtonTests
{
    private const long Group = -100300;
    private const long OtherGroup = -100301;
    private const long Admin = 11;
    private const long Member = 12;

    private static readonly AlertMessage Alert = new()
    {
        Title = "Houthis claim strike on tanker in the Red Sea",
        Link = "https://news.example/houthis",
        Source = "Wire One",
        Sentences = ["Ansar Allah said it struck a tanker.", "Shipping in the Red Sea slowed."],
        Matches =
        [
            new MatchExplanation("Houthis", "Ansar Allah", MatchField.Body, "Ansar Allah said it struck a tanker.") { MatchedText = "Ansar Allah" },
            new MatchExplanation("Red Sea", "Red Sea", MatchField.Title, "Houthis claim strike on tanker in the Red Sea") { MatchedText = "Red Sea" },
        ],
    };

    private sealed record Posted(long OutboxId, long ChannelId, SentMessage Message);

    private static ChannelRef Ref(long chat) => new(Platforms.Telegram, chat.ToString(CultureInfo.InvariantCulture));

    /// <summary>Subscribes the chat with two terms, queues an alert through the store and delivers it through the sink.</summary>
    private static async Task<Posted> PostAlertAsync(TelegramTestHost host, TempSqliteStore db, long chat, string itemKey)
    {
        var now = DateTimeOffset.UtcNow;
        var channel = await db.Store.EnsureChannelAsync(Ref(chat), "Test group", now, CancellationToken.None);
        await db.Store.AddWatchTermAsync(channel.Id, "Houthis", now, CancellationToken.None);
        await db.Store.AddWatchTermAsync(channel.Id, "Red Sea", now, CancellationToken.None);
        await db.Store.EnqueueAsync([new NewAlert(channel.Id, itemKey, Alert)], now, CancellationToken.None);
        var entry = Assert.Single(await db.Store.ClaimDueAsync(now.AddSeconds(1), 10, CancellationToken.None), e => e.ItemKey == itemKey);
        var delivered = Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(entry, CancellationToken.None));
        await db.Store.MarkDeliveredAsync(entry.Id, now, delivered.PlatformMessageId, CancellationToken.None);
        return new Posted(entry.Id, channel.Id, host.Fake.SentTo(chat)[^1]);
    }

    private static async Task<CallbackAnswer> PressAsync(TelegramTestHost host, Posted posted, long user, string data)
    {
        var id = host.Fake.PressButton(posted.Message, user, data);
        var answer = await host.Fake.WaitForCallbackAnswerAsync(id);
        await host.SettleAsync();
        return answer;
    }

    private static string Data(Posted posted, string label) =>
        FakeTelegramServer.Buttons(posted.Message).Single(b => b.Text == label).Data!;

    [Fact]
    public async Task An_alert_carries_why_mute_story_and_one_mute_button_per_term_within_64_bytes()
    {
        using var db = await TempSqliteStore.CreateAsync();
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake, db.Store);

        var posted = await PostAlertAsync(host, db, Group, "item-1");

        var buttons = FakeTelegramServer.Buttons(posted.Message);
        Assert.Equal(["Why?", "Mute story", "Mute \"Houthis\" 24 h", "Mute \"Red Sea\" 24 h"], buttons.Select(b => b.Text));
        Assert.All(buttons, b => Assert.InRange(Encoding.UTF8.GetByteCount(b.Data!), 1, FakeTelegramServer.MaxCallbackDataBytes));
        Assert.All(buttons, b => Assert.Contains(posted.OutboxId.ToString(CultureInfo.InvariantCulture), b.Data!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anyone_may_ask_why_and_gets_every_hit_with_alias_field_and_sentence()
    {
        using var db = await TempSqliteStore.CreateAsync();
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake, db.Store);
        var posted = await PostAlertAsync(host, db, Group, "item-1");
        await host.StartReceiverAsync();

        var answer = await PressAsync(host, posted, Member, Data(posted, "Why?"));

        Assert.True(answer.ShowAlert);
        Assert.Equal(
            "Why: Houthis as \"Ansar Allah\" in the text: \"Ansar Allah said it struck a tanker.\"\n" +
            "Red Sea in the title: \"Houthis claim strike on tanker in the Red Sea\"",
            answer.Text);
        Assert.Equal(0, fake.CallCount("getChatMember")); // a question needs no rights
    }

    [Fact]
    public async Task In_a_group_only_an_admin_mutes_the_story_and_a_muted_story_is_recorded()
    {
        using var db = await TempSqliteStore.CreateAsync();
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake, db.Store);
        fake.SetMember(Group, Admin, "administrator");
        fake.SetMember(Group, Member, "member");
        var posted = await PostAlertAsync(host, db, Group, "item-1");
        await host.StartReceiverAsync();

        var refused = await PressAsync(host, posted, Member, Data(posted, "Mute story"));
        Assert.StartsWith("Only an admin of this chat can mute a story", refused.Text, StringComparison.Ordinal);
        Assert.Empty(await db.Store.FindMutedStoriesAsync([posted.OutboxId], CancellationToken.None));

        var done = await PressAsync(host, posted, Admin, Data(posted, "Mute story"));
        Assert.Equal("Story muted: no more updates of \"Houthis claim strike on tanker in the Re…\" here.", done.Text);
        Assert.Equal([posted.OutboxId], await db.Store.FindMutedStoriesAsync([posted.OutboxId], CancellationToken.None));

        var again = await PressAsync(host, posted, Admin, Data(posted, "Mute story"));
        Assert.Contains("already muted", again.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mute_term_silences_that_term_for_24_hours_and_watch_list_says_until_when()
    {
        using var db = await TempSqliteStore.CreateAsync();
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake, db.Store);
        fake.SetMember(Group, Admin, "creator");
        fake.SetMember(Group, Member, "member");
        var posted = await PostAlertAsync(host, db, Group, "item-1");
        await host.StartReceiverAsync();

        var refused = await PressAsync(host, posted, Member, Data(posted, "Mute \"Red Sea\" 24 h"));
        Assert.StartsWith("Only an admin", refused.Text, StringComparison.Ordinal);
        Assert.Empty(await db.Store.ListTermMutesAsync([posted.ChannelId], DateTimeOffset.UtcNow, CancellationToken.None));

        var before = DateTimeOffset.UtcNow;
        var answer = await PressAsync(host, posted, Admin, Data(posted, "Mute \"Red Sea\" 24 h"));
        Assert.StartsWith("\"Red Sea\" is muted until ", answer.Text, StringComparison.Ordinal);
        var mute = Assert.Single(await db.Store.ListTermMutesAsync([posted.ChannelId], DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal("Red Sea", mute.Term);
        Assert.InRange(mute.Until, before.AddHours(24).AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(24).AddMinutes(1));
        Assert.Empty(await db.Store.ListTermMutesAsync([posted.ChannelId], mute.Until.AddSeconds(1), CancellationToken.None));

        fake.SendText(Group, Member, "/watch list");
        var list = await fake.WaitForMessageAsync(m => m.ChatId == Group && m.PlainText.StartsWith("Watching", StringComparison.Ordinal));
        var stamp = mute.Until.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        Assert.Contains($"• Red Sea (muted until {stamp})", list.PlainText, StringComparison.Ordinal);
        Assert.Contains("• Houthis", list.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain("Houthis (muted", list.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_or_stale_button_changes_nothing_and_is_answered_politely()
    {
        using var db = await TempSqliteStore.CreateAsync();
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake, db.Store);
        fake.SetMember(Group, Admin, "creator");
        fake.SetMember(OtherGroup, Admin, "creator");
        var mine = await PostAlertAsync(host, db, Group, "item-1");
        var theirs = await PostAlertAsync(host, db, OtherGroup, "item-2");
        await host.StartReceiverAsync();

        // The other chat's alert named from this chat: an admin here has no say over it.
        var forged = await PressAsync(host, mine, Admin, "ab1:s:" + theirs.OutboxId.ToString(CultureInfo.InvariantCulture));
        var gone = await PressAsync(host, mine, Admin, "ab1:t:987654:0");
        var badIndex = await PressAsync(host, mine, Admin, "ab1:t:" + mine.OutboxId.ToString(CultureInfo.InvariantCulture) + ":1");
        var garbage = await PressAsync(host, mine, Admin, "not-ours");

        Assert.All([forged, gone], a => Assert.StartsWith("This button belongs to an alert I no longer have", a.Text, StringComparison.Ordinal));
        Assert.Contains("muted", badIndex.Text, StringComparison.Ordinal); // index 1 of this alert is "Red Sea": a real button
        Assert.Equal("This button no longer works. Nothing was changed.", garbage.Text);
        Assert.Empty(await db.Store.FindMutedStoriesAsync([mine.OutboxId, theirs.OutboxId], CancellationToken.None));
        Assert.Empty(await db.Store.ListTermMutesAsync([theirs.ChannelId], DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(4, fake.CallbackAnswers.Count);
    }

    [Fact]
    public async Task An_escalation_goes_out_as_a_reply_to_the_posted_alert_without_buttons()
    {
        using var db = await TempSqliteStore.CreateAsync();
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake, db.Store);
        var posted = await PostAlertAsync(host, db, Group, "item-1");
        var breaking = AlertActionPlanner.Escalation(Alert, ["Wire One", "Wire Two", "Wire Three", "Wire Four", "Wire Five"], TimeSpan.FromMinutes(12), roleId: null);
        var entry = new OutboxEntry(
            posted.OutboxId + 1, posted.ChannelId, Ref(Group), "escalation:" + posted.OutboxId.ToString(CultureInfo.InvariantCulture), breaking, 0,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, OutboxKind.Alert, posted.OutboxId, posted.Message.MessageId.ToString(CultureInfo.InvariantCulture));

        Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(entry, CancellationToken.None));

        var sent = fake.SentTo(Group)[^1];
        Assert.Equal(posted.Message.MessageId, sent.ReplyTo);
        Assert.StartsWith("Breaking: 5 outlets in 12 minutes\n", sent.PlainText, StringComparison.Ordinal);
        Assert.Contains("Outlets: Wire One, Wire Two, Wire Three, Wire Four, Wire Five", sent.PlainText, StringComparison.Ordinal);
        Assert.Empty(FakeTelegramServer.Buttons(sent));
    }
}
