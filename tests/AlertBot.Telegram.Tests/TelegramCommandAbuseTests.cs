using System.Globalization;
using System.Text.Json.Nodes;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Testing.Commands;
using AlertBot.Testing.Telegram;

namespace AlertBot.Telegram.Tests;

/// <summary>
/// Abuse through the Telegram adapter: a flood gets one "slow down" and then silence, and a group member who is not
/// an admin changes nothing with any command that changes settings.
/// </summary>
public sealed class TelegramCommandAbuseTests
{
    private const long Group = -1005555;
    private const long AdminUser = 10;
    private const long MemberUser = 20;

    private static readonly FakeTelegramLimits Fast = new(TimeSpan.FromMilliseconds(5), 200, TimeSpan.FromSeconds(1), 500, TimeSpan.FromSeconds(1));

    private static async Task<string> ReplyTo(FakeTelegramServer fake, long chat, int count)
    {
        await fake.WaitForMessageAsync(_ => fake.SentTo(chat).Count >= count);
        return fake.SentTo(chat)[count - 1].PlainText;
    }

    [Fact]
    public async Task A_flooding_group_gets_its_allowance_one_slow_down_and_then_silence()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: Fast);
        await using var host = TelegramTestHost.Create(fake, settings: new Dictionary<string, string?>
        {
            ["AlertBot:Commands:ChatCommandsPerMinute"] = "3",
            ["AlertBot:Commands:UserCommandsPerMinute"] = "100",
        });
        await host.StartReceiverAsync();

        for (var i = 0; i < 25; i++)
        {
            fake.SendText(Group, MemberUser + (i % 5), i % 2 == 0 ? "/status" : "/watch add spam" + i.ToString(CultureInfo.InvariantCulture));
        }

        var warning = await ReplyTo(fake, Group, 4);
        await host.SettleAsync();

        Assert.Matches(@"^Slow down: This chat has sent too many commands\. Try again in \d+ s; until then I will not answer\.$", warning);
        Assert.Equal(4, fake.SentTo(Group).Count);
        Assert.Single(fake.SentTo(Group), m => m.PlainText.StartsWith("Slow down", StringComparison.Ordinal));

        // Another chat is not held back by this one's flood.
        fake.SendText(77, 77, "/help");
        Assert.Contains("/watch add", await ReplyTo(fake, 77, 1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telegram_is_asked_about_admin_rights_only_for_changes_the_rate_limit_let_through()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: Fast);
        await using var host = TelegramTestHost.Create(fake, settings: new Dictionary<string, string?>
        {
            ["AlertBot:Commands:ChatCommandsPerMinute"] = "4",
            ["AlertBot:Commands:UserCommandsPerMinute"] = "100",
        });
        fake.SetMember(Group, MemberUser, "member");
        await host.StartReceiverAsync();

        // Reading needs no admin check at all.
        fake.SendText(Group, MemberUser, "/watch list");
        await ReplyTo(fake, Group, 1);
        Assert.Equal(0, fake.CallCount("getChatMember"));

        // A flood of changes: one check per command that got past the limit (3 left), none for the rest.
        for (var i = 0; i < 20; i++)
        {
            fake.SendText(Group, MemberUser, "/watch add flood" + i.ToString(CultureInfo.InvariantCulture));
        }

        await ReplyTo(fake, Group, 5);
        await host.SettleAsync();
        Assert.Equal(5, fake.SentTo(Group).Count);
        Assert.Equal(3, fake.CallCount("getChatMember"));
    }

    [Fact]
    public async Task A_non_admin_changes_nothing_with_any_settings_command()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: Fast);
        await using var host = TelegramTestHost.Create(fake);
        fake.SetMember(Group, AdminUser, "administrator");
        fake.SetMember(Group, MemberUser, "member");
        await host.StartReceiverAsync();
        fake.SendText(Group, AdminUser, "/subscribe");
        fake.SendText(Group, AdminUser, "/feeds add https://news.example/rss");
        await ReplyTo(fake, Group, 2);
        var channel = (await host.ChannelAsync(Group))!;
        var feedId = (await host.Store.ListChannelFeedsAsync(channel.Id, default))[0].Id;
        var before = await SnapshotAsync(host, Group);

        // Every command that changes settings, in every form that would change something if an admin sent it.
        var attempts = new Dictionary<string, string[]>
        {
            ["start"] = [], // only changes an inactive chat: covered below
            ["subscribe"] = ["/subscribe", "/subscribe default"],
            ["unsubscribe"] = ["/unsubscribe"],
            ["watch"] = ["/watch add Hezbollah", "/watch add \"Strait of Hormuz\"", "/watch remove Qaani", "/watch rm Houthis", "/watch delete \"Red Sea\"", "/watch priority Qaani", "/watch normal Houthis"],
            ["digest"] = ["/digest hourly", "/digest daily"],
            ["feeds"] = ["/feeds add https://evil.example/rss", $"/feeds remove {feedId}", $"/feeds rm #{feedId}", $"/feeds delete {feedId}"],
            ["pause"] = ["/pause", "/pause@AlertNewsBot"],
            ["resume"] = ["/resume"],
            ["escalate"] = ["/escalate 3 10", "/escalate off", "/escalate role 123456789012345678"],
        };
        Assert.Equal(
            CommandCatalog.All.Where(c => c.ChangesSettings).Select(c => c.Name).Order(),
            attempts.Keys.Order());

        var sent = 2;
        foreach (var text in attempts.Values.SelectMany(t => t))
        {
            fake.SendText(Group, MemberUser, text);
            Assert.Contains("Only an admin", await ReplyTo(fake, Group, ++sent), StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotAsync(host, Group));

        // An admin's pause, then a member's resume: still paused. Unsubscribed, then a member's /start: still off.
        fake.SendText(Group, AdminUser, "/pause");
        fake.SendText(Group, MemberUser, "/resume");
        Assert.Contains("Only an admin", await ReplyTo(fake, Group, sent += 2), StringComparison.Ordinal);
        Assert.True((await host.ChannelAsync(Group))!.Paused);
        fake.SendText(Group, AdminUser, "/unsubscribe");
        fake.SendText(Group, MemberUser, "/start");
        Assert.Contains("Only an admin", await ReplyTo(fake, Group, sent += 2), StringComparison.Ordinal);
        Assert.False((await host.ChannelAsync(Group))!.Active);
    }

    [Fact]
    public async Task When_the_admin_check_fails_or_another_chat_speaks_for_the_user_nothing_changes()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: Fast);
        await using var host = TelegramTestHost.Create(fake);
        fake.SetMember(Group, AdminUser, "administrator");
        await host.StartReceiverAsync();
        fake.SendText(Group, AdminUser, "/subscribe");
        await ReplyTo(fake, Group, 1);
        var before = await SnapshotAsync(host, Group);

        // Telegram cannot say whether this admin is one: unknown is not yes, and the user hears the check failed.
        fake.FailNext("getChatMember", 500, "Internal Server Error");
        fake.SendText(Group, AdminUser, "/watch add Hezbollah");
        var unsure = await ReplyTo(fake, Group, 2);
        Assert.Contains("Could not check", unsure, StringComparison.Ordinal);
        Assert.Contains("try again", unsure, StringComparison.Ordinal);
        Assert.DoesNotContain("Only an admin", unsure, StringComparison.Ordinal);

        // A message sent on behalf of some other channel (sender_chat is not this group) is not an anonymous admin.
        var message = fake.MessageJson(Group, AdminUser, "/unsubscribe");
        message["sender_chat"] = new JsonObject { ["id"] = -1009999, ["type"] = "channel", ["title"] = "Elsewhere" };
        fake.EnqueueUpdate(new JsonObject { ["message"] = message });
        Assert.Contains("Only an admin", await ReplyTo(fake, Group, 3), StringComparison.Ordinal);

        Assert.Equal(before, await SnapshotAsync(host, Group));
    }

    private static Task<string> SnapshotAsync(TelegramTestHost host, long chat) =>
        ChannelSnapshot.TakeAsync(host.Store, new ChannelRef(Platforms.Telegram, chat.ToString(CultureInfo.InvariantCulture)));
}
