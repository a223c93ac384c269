using System.Text;
using AlertBot.Core.Feeds;

namespace AlertBot.Feeds.Tests.Opml;

public sealed class OpmlDocumentTests
{
    private static IReadOnlyList<OpmlFeed> Parse(string xml) => OpmlDocument.Parse(new MemoryStream(Encoding.UTF8.GetBytes(xml)));

    [Fact]
    public void Feeds_in_folders_are_read_in_order_each_url_once()
    {
        var feeds = Parse("""
            <?xml version="1.0"?>
            <opml version="1.0"><head><title>Reader export</title></head><body>
              <outline text="Middle East">
                <outline type="rss" text="The National" title="The National MENA" xmlUrl="https://www.thenationalnews.com/rss" htmlUrl="https://www.thenationalnews.com/"/>
                <outline type="rss" text="Al-Monitor" xmlUrl="https://www.al-monitor.com/rss"/>
              </outline>
              <outline type="rss" text="Duplicate" xmlUrl="https://www.al-monitor.com/rss"/>
              <outline text="A folder with no feed"/>
            </body></opml>
            """);

        Assert.Equal(2, feeds.Count);
        Assert.Equal(new OpmlFeed("https://www.thenationalnews.com/rss", "The National MENA", "https://www.thenationalnews.com/"), feeds[0]);
        Assert.Equal("Al-Monitor", feeds[1].Title);
    }

    [Fact]
    public void What_is_written_reads_back_the_same()
    {
        var feeds = new[] { new OpmlFeed("https://a.example/rss?x=1&y=2", "A & B <news>"), new OpmlFeed("https://b.example/atom", "B") };
        var xml = OpmlDocument.Write("AlertBot feeds", feeds, DateTimeOffset.UnixEpoch);
        Assert.Equal(feeds, Parse(xml));
    }

    [Theory]
    [InlineData("<html><body/></html>", "root element")]
    [InlineData("<opml><body><outline", "not an OPML document")]
    [InlineData("<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><opml><body><outline xmlUrl=\"&x;\"/></body></opml>", "not an OPML document")]
    public void Anything_else_is_refused_with_a_reason_and_no_entity_is_resolved(string xml, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => Parse(xml));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
