using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Storage;
using AlertBot.Testing.Feeds;
using AlertBot.Worker.Cli;
using AlertBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>A web page's address given where a feed belongs: the feed it links to is found, used and said so.</summary>
public sealed class FeedDiscoveryTests : IAsyncLifetime, IDisposable
{
    private readonly CliHarness _cli = new();
    private LoopbackFeedServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackFeedServer.StartAsync();
        var item = new SampleItem("Houthis threaten Red Sea shipping", "https://news.example/houthis", "The Houthis said ships would be targeted.", DateTimeOffset.UtcNow);
        _server.Set("/news/feed.xml", LoopbackResponse.Text(SampleFeeds.Rss("Desk wire", item)));
        _server.Set("/news/", Page("""<link rel="alternate" type="application/rss+xml" title="Desk wire" href="feed.xml">"""));
        _server.Set("/two", Page("""
            <link rel="alternate" type="application/rss+xml" title="All news" href="/news/feed.xml">
            <link rel="alternate" type="application/atom+xml" title="Opinion" href="https://opinion.example/atom">
            """));
        _server.Set("/plain", Page("""<link rel="stylesheet" href="/site.css">"""));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    private static LoopbackResponse Page(string head) =>
        LoopbackResponse.Text($"<!DOCTYPE html><html><head><title>Desk</title>{head}</head><body><h1>News</h1></body></html>", "text/html; charset=utf-8");

    private Dictionary<string, string?> Settings(params (string Key, string Value)[] more)
    {
        var settings = _cli.Settings;
        settings["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.1/32"; // the loopback server
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task<(int Exit, string Output)> RunAsync(Dictionary<string, string?> settings, params string[] args)
    {
        var output = new StringWriter();
        var exit = await new CliApp(output, settings, output).RunAsync(args);
        return (exit, output.ToString());
    }

    [Fact]
    public async Task A_page_added_as_a_feed_is_replaced_by_the_feed_it_links_to()
    {
        var (exit, output) = await RunAsync(Settings(), "feed", "add", _server.Url("/news/"), "--channel", "telegram:-100");

        Assert.Equal(0, exit);
        Assert.Contains($"{_server.Url("/news/")} is a web page; using the feed it links to: {_server.Url("/news/feed.xml")}", output, StringComparison.Ordinal);
        var listed = (await RunAsync(Settings(), "feed", "list")).Output;
        Assert.Contains(_server.Url("/news/feed.xml"), listed, StringComparison.Ordinal);
        Assert.Contains("Desk wire", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Url("/news/") + "\n", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_configured_as_a_feed_is_polled_through_the_feed_behind_it()
    {
        var settings = Settings(
            ("AlertBot:Polling:Feeds:0:Url", _server.Url("/news/")),
            ("AlertBot:Polling:Feeds:0:Name", "Desk"),
            ("AlertBot:Polling:Feeds:0:Backfill", "1"));

        var (exit, output) = await RunAsync(settings, "run", "--once");

        Assert.Equal(0, exit);
        Assert.Contains("=== ALERT", output, StringComparison.Ordinal);
        Assert.Contains("Houthis threaten Red Sea shipping", output, StringComparison.Ordinal);
        Assert.Equal(1, _server.RequestCount("/news/feed.xml"));
    }

    [Fact]
    public async Task A_page_with_several_feeds_lists_them_and_a_page_with_none_says_it_is_not_a_feed()
    {
        var (several, listed) = await RunAsync(Settings(), "feed", "add", _server.Url("/two"));
        Assert.Equal(1, several);
        var line = Assert.Single(listed.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("this is a web page, not a feed; it links to 2 feeds, add one of them:", line, StringComparison.Ordinal);
        Assert.Contains($"{_server.Url("/news/feed.xml")} (All news)", line, StringComparison.Ordinal);
        Assert.Contains("https://opinion.example/atom (Opinion)", line, StringComparison.Ordinal);

        var (none, said) = await RunAsync(Settings(), "feed", "add", _server.Url("/plain"));
        Assert.Equal(1, none);
        Assert.Contains("this is a web page, not a feed, and it links to no RSS, Atom or JSON feed", said, StringComparison.Ordinal);
        Assert.DoesNotContain("not well-formed", said, StringComparison.Ordinal);
        Assert.Contains("No feeds", (await RunAsync(Settings(), "feed", "list")).Output, StringComparison.Ordinal);

        var (checkExit, checkOutput) = await RunAsync(Settings(), "feed", "check", _server.Url("/news/"));
        Assert.Equal(0, checkExit);
        Assert.Contains($"read the feed it links to: {_server.Url("/news/feed.xml")}", checkOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_chat_feeds_add_of_a_page_adds_the_feed_behind_it_and_refuses_a_page_without_one()
    {
        using var host = AlertBotHost.CreateBuilder(HostMode.Command, TextWriter.Null, Settings()).Build();
        var store = host.Services.GetRequiredService<DapperAlertStore>();
        await store.MigrateAsync(CancellationToken.None);
        var processor = host.Services.GetRequiredService<ICommandProcessor>();
        var chat = new CommandContext(new ChannelRef(Platforms.Telegram, "42"), "Desk", "42", UserIsAdmin: true, IsPrivate: true);
        Assert.False((await processor.ExecuteAsync("/subscribe", chat, CancellationToken.None)).IsError);

        var added = await processor.ExecuteAsync($"/feeds add {_server.Url("/news/")}", chat, CancellationToken.None);

        Assert.False(added.IsError, added.Text);
        Assert.Contains($"That address is a web page; it links to the feed {_server.Url("/news/feed.xml")}, added instead.", added.Text, StringComparison.Ordinal);
        var channel = (await store.GetChannelAsync(chat.Channel, CancellationToken.None))!;
        var feeds = (await store.ListChannelFeedsAsync(channel.Id, CancellationToken.None)).Select(f => f.Url).ToList();
        Assert.Contains(_server.Url("/news/feed.xml"), feeds);
        Assert.DoesNotContain(_server.Url("/news/"), feeds);

        var refused = await processor.ExecuteAsync($"/feeds add {_server.Url("/plain")}", chat, CancellationToken.None);
        Assert.True(refused.IsError);
        Assert.StartsWith("Not added: this is a web page, not a feed, and it links to no RSS, Atom or JSON feed.", refused.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Url("/plain"), (await store.ListChannelFeedsAsync(channel.Id, CancellationToken.None)).Select(f => f.Url));
    }
}
