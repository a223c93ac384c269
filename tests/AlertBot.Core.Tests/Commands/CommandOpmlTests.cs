using System.Text;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Feeds;
using AlertBot.Core.Pipeline;
using AlertBot.Storage;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Commands;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Core.Tests.Commands;

public sealed class CommandOpmlTests
{
    private const string ConfiguredUrl = "https://news.example/world.rss";
    private static readonly ChannelRef Group = new(Platforms.Telegram, "-1001");
    private static readonly CommandContext Admin = new(Group, "Newsroom", "1", UserIsAdmin: true, IsPrivate: false);
    private static readonly CommandContext Member = new(Group, "Newsroom", "2", UserIsAdmin: false, IsPrivate: false);

    private readonly SqliteAlertStore _store = TestStores.InMemory();

    private CommandProcessor CreateSut(int maxFeeds = 25) => CommandTestServices.CreateProcessor(
        _store,
        CommandProcessorTests.Actors,
        CommandProcessorTests.Presets,
        new CommandOptions { MaxFeedsPerChannel = maxFeeds },
        new PollingOptions
        {
            DefaultInterval = TimeSpan.FromMinutes(5),
            Feeds = [new ConfiguredFeed { Url = ConfiguredUrl, Name = "World" }],
        },
        new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero)),
        urlValidator: new PrivateHostValidator());

    // Stands in for the SSRF guard's verdict on spelling: the real one lives in AlertBot.Feeds, which Core cannot see.
    private sealed class PrivateHostValidator : IFeedUrlValidator
    {
        public string? Validate(string url) =>
            url.Contains("10.0.0.", StringComparison.Ordinal) ? "the address 10.0.0.5 is private" : null;
    }

    private static string Opml(params string[] urls) =>
        "<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>t</title></head><body><outline text=\"folder\">" +
        string.Concat(urls.Select(u => $"<outline type=\"rss\" text=\"x\" xmlUrl=\"{u}\"/>")) +
        "</outline></body></opml>";

    private static CommandContext With(CommandContext context, string fileName, string text) =>
        context with { Attachment = CommandAttachment.FromText(fileName, text) };

    private async Task<CommandReply> Run(string text, CommandContext context, CommandProcessor? sut = null) =>
        await (sut ?? CreateSut()).ExecuteAsync(text, context, CancellationToken.None);

    private async Task<string[]> FeedUrlsOf(ChannelRef channel)
    {
        var row = await _store.GetChannelAsync(channel, default) ?? throw new InvalidOperationException("no channel");
        return (await _store.ListChannelFeedsAsync(row.Id, default)).Select(f => f.Url).ToArray();
    }

    [Fact]
    public async Task Import_adds_each_feed_with_a_baseline_and_counts_duplicates_and_refusals()
    {
        await Run("/subscribe", Admin);
        var file = Opml("https://a.example/rss", ConfiguredUrl, "https://a.example/rss", "http://10.0.0.5/feed", "ftp://b.example/x", "https://c.example/atom");

        var reply = await Run("/feeds import", With(Admin, "reader.OPML", file));

        Assert.False(reply.IsError, reply.Text);
        Assert.Contains("added 2, already there 1, refused 2", reply.Text, StringComparison.Ordinal);
        Assert.Contains("private", reply.Text, StringComparison.Ordinal);
        Assert.Contains("ftp://b.example/x", reply.Text, StringComparison.Ordinal);
        Assert.Equal([ConfiguredUrl, "https://a.example/rss", "https://c.example/atom"], await FeedUrlsOf(Group));
        var added = await _store.FindFeedByUrlAsync("https://a.example/rss", default);
        Assert.Equal(((TimeSpan?)null, 0, false), (added!.Interval, added.Backfill, added.BaselineDone));
        Assert.Null(await _store.FindFeedByUrlAsync("http://10.0.0.5/feed", default));

        var again = await Run("/feeds import", With(Admin, "reader.opml", file));
        Assert.Contains("added 0, already there 3", again.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_stops_at_the_per_channel_limit_and_says_so()
    {
        var sut = CreateSut(maxFeeds: 2);
        await Run("/subscribe", Admin, sut);

        var reply = await Run("/feeds import", With(Admin, "f.xml", Opml("https://a.example/rss", "https://b.example/rss", "https://c.example/rss")), sut);

        Assert.Contains("added 1, already there 0, refused 2", reply.Text, StringComparison.Ordinal);
        Assert.Contains("limit", reply.Text, StringComparison.Ordinal);
        Assert.Equal([ConfiguredUrl, "https://a.example/rss"], await FeedUrlsOf(Group));
    }

    [Fact]
    public async Task Import_refuses_no_file_a_wrong_type_a_big_file_and_what_is_not_opml()
    {
        await Run("/subscribe", Admin);

        Assert.Contains("Attach an OPML file", (await Run("/feeds import", Admin)).Text, StringComparison.Ordinal);
        Assert.Contains("not an OPML file", (await Run("/feeds import", With(Admin, "feeds.txt", Opml("https://a.example/rss")))).Text, StringComparison.Ordinal);
        var big = Admin with { Attachment = new CommandAttachment("big.opml", CommandAttachment.MaxBytes + 1, Text: null) };
        Assert.Contains("too big", (await Run("/feeds import", big)).Text, StringComparison.Ordinal);
        var html = await Run("/feeds import", With(Admin, "page.xml", "<html><body>hi</body></html>"));
        Assert.True(html.IsError);
        Assert.Contains("not an OPML document", html.Text, StringComparison.Ordinal);
        var broken = await Run("/feeds import", With(Admin, "broken.opml", "<opml><body>"));
        Assert.Contains("could not be read", broken.Text, StringComparison.Ordinal);
        var dtd = await Run("/feeds import", With(Admin, "dtd.opml", "<!DOCTYPE opml [<!ENTITY x \"y\">]><opml><body/></opml>"));
        Assert.True(dtd.IsError);
        Assert.Equal([ConfiguredUrl], await FeedUrlsOf(Group));
    }

    [Fact]
    public async Task Import_by_a_non_admin_is_refused_and_changes_nothing()
    {
        await Run("/subscribe", Admin);

        var reply = await Run("/feeds import", With(Member, "f.opml", Opml("https://a.example/rss")));

        Assert.True(reply.IsError);
        Assert.Contains("Only an admin", reply.Text, StringComparison.Ordinal);
        Assert.Equal([ConfiguredUrl], await FeedUrlsOf(Group));
    }

    [Fact]
    public async Task Export_returns_the_chats_feeds_as_an_opml_attachment_that_imports_back()
    {
        await Run("/subscribe", Admin);
        await Run("/feeds add https://a.example/rss?x=1&y=2", Admin);

        var reply = await Run("/feeds export", Member);

        Assert.False(reply.IsError, reply.Text);
        var file = Assert.IsType<CommandAttachment>(reply.Attachment);
        Assert.EndsWith(".opml", file.FileName, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetByteCount(file.Text!), file.Size);
        var urls = OpmlDocument.Parse(new MemoryStream(Encoding.UTF8.GetBytes(file.Text!))).Select(f => f.Url);
        Assert.Equal([ConfiguredUrl, "https://a.example/rss?x=1&y=2"], urls);

        var other = new CommandContext(new ChannelRef(Platforms.Telegram, "-2002"), "Other", "3", UserIsAdmin: true, IsPrivate: false);
        await Run("/subscribe", other);
        Assert.Contains("already there 1", (await Run("/feeds import", With(other, file.FileName, file.Text!))).Text, StringComparison.Ordinal);
        Assert.Contains("https://a.example/rss?x=1&y=2", await FeedUrlsOf(other.Channel));
    }

    [Fact]
    public async Task Export_of_a_chat_without_feeds_sends_no_file()
    {
        var reply = await Run("/feeds export", Member);

        Assert.Null(reply.Attachment);
        Assert.Contains("nothing to export", reply.Text, StringComparison.Ordinal);
    }
}
