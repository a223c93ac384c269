using System.Text;
using AlertBot.Feeds.Discovery;

namespace AlertBot.Feeds.Tests.Discovery;

public sealed class FeedDiscoveryTests
{
    private static readonly Uri Page = new("https://news.example/section/page.html");

    private static IReadOnlyList<DiscoveredFeed> Find(string html, Uri? page = null) =>
        FeedDiscovery.Find(Encoding.UTF8.GetBytes(html), "utf-8", page ?? Page);

    [Fact]
    public void Alternate_links_of_feed_types_are_found_resolved_and_deduplicated_in_order()
    {
        var feeds = Find("""
            <html><head>
            <link rel="stylesheet" type="text/css" href="/a.css">
            <link rel="alternate" type="application/rss+xml" title="Top" href="rss.xml">
            <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="/atom">
            <link rel="alternate" type="application/feed+json" href="https://other.example/feed.json">
            <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
            <link rel="alternate" type="application/rss+xml" href="https://news.example/section/rss.xml">
            </head></html>
            """);

        Assert.Equal(
            [
                new DiscoveredFeed("https://news.example/section/rss.xml", "Top", "application/rss+xml"),
                new DiscoveredFeed("https://news.example/atom", null, "application/atom+xml"),
                new DiscoveredFeed("https://other.example/feed.json", null, "application/feed+json"),
            ],
            feeds);
    }

    [Fact]
    public void A_base_element_moves_relative_links_and_local_files_are_never_offered()
    {
        var feeds = Find("""
            <html><head><base href="https://cdn.example/feeds/">
            <link rel="alternate" type="application/rss+xml" href="main.xml">
            <link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">
            <link rel="alternate" type="application/rss+xml" href="ftp://news.example/x.xml">
            </head></html>
            """);

        Assert.Equal(["https://cdn.example/feeds/main.xml"], feeds.Select(f => f.Url));
    }

    [Theory]
    [InlineData("<!DOCTYPE html><html></html>", true)]
    [InlineData("\uFEFF  <!-- generated --> <html lang=\"en\">", true)]
    [InlineData("<HEAD><title>x</title></HEAD>", true)]
    [InlineData("<?xml version=\"1.0\"?><rss version=\"2.0\"></rss>", false)]
    [InlineData("{\"version\": \"https://jsonfeed.org/version/1.1\"}", false)]
    public void Html_is_told_from_feeds_by_its_start(string start, bool html) =>
        Assert.Equal(html, FeedDiscovery.LooksLikeHtml(Encoding.UTF8.GetBytes(start)));
}
