using System.Text;
using AlertBot.Core.Commands;
using AlertBot.Core.Feeds;
using AlertBot.Testing.Telegram;

namespace AlertBot.Telegram.Tests;

/// <summary>/feeds import with a document (getFile, then the file from /file/bot...) and /feeds export as sendDocument.</summary>
public sealed class TelegramOpmlTests
{
    private const long Group = -1003333;
    private const long AdminUser = 10;
    private const long MemberUser = 20;

    private static readonly FakeTelegramLimits Fast = new(TimeSpan.FromMilliseconds(5), 200, TimeSpan.FromSeconds(1), 500, TimeSpan.FromSeconds(1));

    private static readonly byte[] Subscriptions = Encoding.UTF8.GetBytes(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><opml version=\"1.0\"><head/><body>" +
        "<outline text=\"News\"><outline type=\"rss\" text=\"A\" xmlUrl=\"https://a.example/rss\"/>" +
        "<outline type=\"rss\" text=\"B\" xmlUrl=\"https://b.example/atom?x=1&amp;y=2\"/></outline></body></opml>");

    private static async Task<SentMessage> ReplyTo(FakeTelegramServer fake, long chat, int count)
    {
        await fake.WaitForMessageAsync(_ => fake.SentTo(chat).Count >= count);
        return fake.SentTo(chat)[count - 1];
    }

    private static async Task<string[]> FeedUrlsAsync(TelegramTestHost host)
    {
        var channel = await host.ChannelAsync(Group) ?? throw new InvalidOperationException("no channel");
        return (await host.Store.ListChannelFeedsAsync(channel.Id, CancellationToken.None)).Select(f => f.Url).ToArray();
    }

    [Fact]
    public async Task A_document_captioned_feeds_import_is_downloaded_and_its_feeds_attached_and_export_sends_a_document()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: Fast);
        await using var host = TelegramTestHost.Create(fake);
        fake.SetMember(Group, AdminUser, "creator");
        fake.SetMember(Group, MemberUser, "member");
        await host.StartReceiverAsync();
        fake.SendText(Group, AdminUser, "/subscribe");
        await ReplyTo(fake, Group, 1);

        fake.SendDocument(Group, AdminUser, "/feeds@AlertNewsBot import", "reader.opml", Subscriptions);
        var imported = await ReplyTo(fake, Group, 2);

        Assert.Contains("added 2, already there 0, refused 0", imported.PlainText, StringComparison.Ordinal);
        Assert.Equal(1, fake.FileDownloads);
        Assert.Equal(["https://a.example/rss", "https://b.example/atom?x=1&y=2"], await FeedUrlsAsync(host));

        // A member is refused by Core (after the download); a file Telegram says is too big and a document that is not
        // an import are never downloaded.
        fake.SendDocument(Group, MemberUser, "/feeds import", "reader.opml", Encoding.UTF8.GetBytes("<opml><body><outline xmlUrl=\"https://c.example/rss\"/></body></opml>"));
        Assert.Contains("Only an admin", (await ReplyTo(fake, Group, 3)).PlainText, StringComparison.Ordinal);
        fake.SendDocument(Group, AdminUser, "/feeds import", "big.opml", Subscriptions, declaredSize: CommandAttachment.MaxBytes + 1L);
        Assert.Contains("too big", (await ReplyTo(fake, Group, 4)).PlainText, StringComparison.Ordinal);
        fake.SendDocument(Group, AdminUser, "/help", "reader.opml", Subscriptions);
        await ReplyTo(fake, Group, 5);
        // Telegram states a small size but serves more than the cap: the download stops at the cap.
        fake.SendDocument(Group, AdminUser, "/feeds import", "huge.opml", new byte[CommandAttachment.MaxBytes + 10], declaredSize: 100);
        Assert.Contains("too big", (await ReplyTo(fake, Group, 6)).PlainText, StringComparison.Ordinal);
        Assert.Equal(3, fake.FileDownloads);
        Assert.Equal(3, fake.CallCount("getFile"));
        Assert.Equal(2, (await FeedUrlsAsync(host)).Length);

        fake.SendText(Group, MemberUser, "/feeds export");
        var exported = await ReplyTo(fake, Group, 7);
        await fake.WaitForCallAsync(c => c.Method == "sendDocument" && c.Status == 200);

        Assert.Contains("2 feeds as OPML", exported.PlainText, StringComparison.Ordinal);
        var (chat, fileName, content) = Assert.Single(fake.Documents);
        Assert.Equal((Group, "alertbot-feeds.opml"), (chat, fileName));
        var urls = OpmlDocument.Parse(new MemoryStream(content)).Select(f => f.Url);
        Assert.Equal(["https://a.example/rss", "https://b.example/atom?x=1&y=2"], urls);
    }

    [Fact]
    public async Task An_export_whose_document_upload_fails_tells_the_user()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: Fast);
        await using var host = TelegramTestHost.Create(fake);
        fake.SetMember(Group, AdminUser, "creator");
        await host.StartReceiverAsync();
        fake.SendText(Group, AdminUser, "/subscribe");
        await ReplyTo(fake, Group, 1);
        fake.SendDocument(Group, AdminUser, "/feeds import", "reader.opml", Subscriptions);
        await ReplyTo(fake, Group, 2);
        fake.FailNext("sendDocument", 400, "Bad Request: file must be non-empty");

        fake.SendText(Group, AdminUser, "/feeds export");

        Assert.Contains("as OPML", (await ReplyTo(fake, Group, 3)).PlainText, StringComparison.Ordinal);
        var failed = await ReplyTo(fake, Group, 4);
        Assert.Contains("could not be sent", failed.PlainText, StringComparison.Ordinal);
        Assert.Contains("alertbot-feeds.opml", failed.PlainText, StringComparison.Ordinal);
        Assert.Empty(fake.Documents);
    }
}
