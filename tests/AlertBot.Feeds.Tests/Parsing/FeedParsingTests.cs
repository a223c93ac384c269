using System.Text;
using AlertBot.Core.Feeds;
using AlertBot.Core.Items;
using AlertBot.Feeds.Parsing;
using AlertBot.Testing.Feeds;

namespace AlertBot.Feeds.Tests.Parsing;

/// <summary>Parsing and flattening through the public reader, fed from local files.</summary>
public sealed class FeedParsingTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("alertbot-feeds-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static FeedReader CreateSut() => FeedReader.Create();

    private async Task<FeedReadResult> ReadAsync(byte[] bytes)
    {
        var path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".xml");
        await File.WriteAllBytesAsync(path, bytes);
        return await CreateSut().ReadAsync(path, FeedValidators.None, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private Task<FeedReadResult> ReadAsync(string xml) => ReadAsync(Encoding.UTF8.GetBytes(xml));

    private async Task<IReadOnlyList<NewsItem>> ItemsAsync(string xml) => Assert.IsType<FeedReadResult.Success>(await ReadAsync(xml)).Items;

    [Fact(Timeout = 30_000)]
    public async Task Billion_laughs_is_not_expanded()
    {
        var sb = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
        sb.Append("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
        for (var i = 2; i <= 9; i++)
        {
            sb.Append("<!ENTITY lol").Append(i).Append(" \"").Append(string.Concat(Enumerable.Repeat($"&lol{i - 1};", 10))).Append("\">\n");
        }

        sb.Append("]>\n<rss version=\"2.0\"><channel><title>t</title><item><title>&lol9;</title><link>http://x.test/1</link></item></channel></rss>");
        var before = GC.GetAllocatedBytesForCurrentThread();

        var result = await ReadAsync(sb.ToString());

        // Expanded, &lol9; is 3 GB of text; unexpanded, the whole read allocates a few hundred KB.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 50_000_000);
        var item = Assert.Single(Assert.IsType<FeedReadResult.Success>(result).Items);
        Assert.Equal("&lol9;", item.Title);
    }

    [Fact]
    public async Task External_entity_never_reads_the_file()
    {
        var secret = Path.Combine(directory, "secret.txt");
        await File.WriteAllTextAsync(secret, "TOP-SECRET-MARKER");
        var xml = $"""
            <?xml version="1.0"?>
            <!DOCTYPE rss [ <!ENTITY xxe SYSTEM "{new Uri(secret).AbsoluteUri}"> <!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote; ]>
            <rss version="2.0"><channel><title>t</title><item><title>Leak: &xxe;</title><description>&xxe;</description><link>http://x.test/1</link></item></channel></rss>
            """;

        var result = await ReadAsync(xml);

        var item = Assert.Single(Assert.IsType<FeedReadResult.Success>(result).Items);
        Assert.DoesNotContain("TOP-SECRET", item.Title + item.Text, StringComparison.Ordinal);
        Assert.Equal("Leak: &xxe;", item.Title);
    }

    [Fact]
    public async Task A_raw_element_followed_by_a_cdata_block_of_html_leaves_no_markup_and_no_link_target()
    {
        // Feedburner's shape: an image element, then the article's HTML in CDATA, with a slug that names actors.
        const string xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Wire</title><item>
              <title>Strikes hit port</title><link>http://x.test/1</link>
              <description><img src="http://x.test/hezbollah-red-sea-houthis/a.jpg" alt="" /><![CDATA[<p>Strikes hit the port of <a href="http://x.test/hezbollah-red-sea-houthis/">Hodeidah</a> overnight.</p><p>Ships &amp; crews were safe.</p>]]></description>
            </item></channel></rss>
            """;

        var item = Assert.Single(await ItemsAsync(xml));

        Assert.Equal("Strikes hit the port of Hodeidah overnight.\nShips & crews were safe.", item.Text);
        var matches = AlertBot.Core.Matching.CompiledMatcher.MatchTerms(["Hezbollah", "Red Sea", "Houthis", "hezbollah-red-sea-houthis"], AlertBot.Core.Watchlists.ActorDictionary.Empty, item.Text);
        Assert.Empty(matches);
    }

    [Fact]
    public async Task Markup_escaped_twice_is_read_as_markup_not_shown_as_text()
    {
        const string xml = """
            <rss version="2.0"><channel><item><title>t</title><link>http://x.test/1</link>
            <description>&amp;lt;p&amp;gt;Houthis &amp;lt;a href="http://x.test/red-sea/"&amp;gt;struck&amp;lt;/a&amp;gt; again.&amp;lt;/p&amp;gt;</description>
            </item></channel></rss>
            """;

        Assert.Equal("Houthis struck again.", Assert.Single(await ItemsAsync(xml)).Text);
    }

    [Theory]
    [InlineData("Houthis &amp; allies strike &lt;tanker&gt;")]
    [InlineData("Houthis &amp;amp; allies strike &amp;lt;tanker&amp;gt;")]
    [InlineData("<![CDATA[Houthis & allies strike <tanker>]]>")]
    public async Task Escaped_text_in_a_title_stays_text(string title)
    {
        var xml = $"<rss version=\"2.0\"><channel><item><title>{title}</title><link>http://x.test/1</link></item></channel></rss>";

        Assert.Equal("Houthis & allies strike <tanker>", Assert.Single(await ItemsAsync(xml)).Title);
    }

    [Fact]
    public async Task Comments_and_whitespace_before_the_xml_declaration_are_passed_over()
    {
        const string xml = "\n  <!-- generated by a CMS -->\n<!-- second -->\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" +
                           "<rss version=\"2.0\"><channel><item><title>Qaani in Baghdad</title><link>http://x.test/1</link>" +
                           "<pubDate>2026-12-07T12:35:9+01:00</pubDate></item></channel></rss>";

        var item = Assert.Single(await ItemsAsync(xml));

        Assert.Equal("Qaani in Baghdad", item.Title);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 11, 35, 9, TimeSpan.Zero), item.Published);
    }

    [Fact]
    public async Task Html_named_entities_decode_without_a_dtd()
    {
        var items = await ItemsAsync(
            "<rss version=\"2.0\"><channel><item><title>Caf&eacute;&nbsp;talks &mdash; Qa&rsquo;ani</title><link>http://x.test/?a=1&b=2</link></item></channel></rss>");

        Assert.Equal("Caf\u00e9 talks \u2014 Qa\u2019ani", items[0].Title);
        Assert.Equal("http://x.test/?a=1&b=2", items[0].Link);
    }

    [Fact]
    public async Task Declared_windows_1252_and_iso_8859_1_bytes_decode()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var cp1252 = Encoding.GetEncoding(1252).GetBytes(
            "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel><item><title>\u201cQuoted\u201d \u20ac</title></item></channel></rss>");
        var latin1 = Encoding.Latin1.GetBytes(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>Se\u00f1or \u00e0 la cr\u00e8me</title></item></channel></rss>");

        Assert.Equal("\u201cQuoted\u201d \u20ac", Assert.IsType<FeedReadResult.Success>(await ReadAsync(cp1252)).Items[0].Title);
        Assert.Equal("Se\u00f1or \u00e0 la cr\u00e8me", Assert.IsType<FeedReadResult.Success>(await ReadAsync(latin1)).Items[0].Title);
    }

    [Fact]
    public async Task Undeclared_windows_1252_bytes_in_a_utf8_feed_are_rescued()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Encoding.GetEncoding(1252).GetBytes("<rss><channel><item><title>Don\u2019t panic</title></item></channel></rss>");

        Assert.Equal("Don\u2019t panic", Assert.IsType<FeedReadResult.Success>(await ReadAsync(bytes)).Items[0].Title);
    }

    [Fact]
    public async Task Utf16_with_bom_decodes()
    {
        var xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss><channel><item><title>\u0642\u0627\u0622\u0646\u06cc</title></item></channel></rss>";
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(xml)).ToArray();

        Assert.Equal("\u0642\u0627\u0622\u0646\u06cc", Assert.IsType<FeedReadResult.Success>(await ReadAsync(bytes)).Items[0].Title);
    }

    [Fact]
    public async Task Json_feed_is_read()
    {
        const string json = """
            {
              "version": "https://jsonfeed.org/version/1.1",
              "title": "JSON News",
              "home_page_url": "https://example.test/",
              "authors": [{ "name": "Desk" }],
              "items": [
                { "id": "1", "url": "https://example.test/1", "title": "Ghaani in Iraq",
                  "content_html": "<p>First <b>para</b>.</p><p>Second.</p>", "date_published": "2026-11-26T10:00:00+01:00" },
                { "id": 2, "url": "https://example.test/2", "content_text": "No title here", "summary": "s",
                  "date_modified": "2026-11-26T12:00:00Z", "author": { "name": "Old style" } }
              ]
            }
            """;

        var success = Assert.IsType<FeedReadResult.Success>(await ReadAsync(json));

        Assert.Equal("JSON News", success.FeedTitle);
        var first = success.Items[0];
        Assert.Equal(("1", "https://example.test/1", "Ghaani in Iraq"), (first.Id, first.Link, first.Title));
        Assert.Equal("First para.\nSecond.", first.Text);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), first.Published);
        Assert.Equal("Desk", first.Author);
        Assert.Equal("JSON News", first.SourceName);
        var second = success.Items[1];
        Assert.Equal(("2", "No title here", "Old style"), (second.Id, second.Text, second.Author));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero), second.Published);
    }

    [Fact]
    public async Task Json_that_is_not_a_json_feed_is_malformed()
    {
        var failure = Assert.IsType<FeedReadResult.Failure>(await ReadAsync("{\"hello\": \"world\"}"));

        Assert.Equal(FeedErrorKind.Malformed, failure.Kind);
    }

    [Fact]
    public async Task Item_without_a_date_is_kept_with_no_date()
    {
        var items = await ItemsAsync(SampleFeeds.Rss("n", new SampleItem("Undated", "http://x.test/u")));

        var item = Assert.Single(items);
        Assert.Null(item.Published);
        Assert.Null(item.Updated);
    }

    [Fact]
    public async Task Html_and_scripts_in_titles_and_bodies_end_as_plain_text()
    {
        var items = await ItemsAsync(SampleFeeds.Rss(
            "<b>Bold</b> feed",
            new SampleItem(
                "<script>alert('x')</script>Strike <em>near</em>&amp; Basra<style>p{}</style>",
                "http://x.test/1",
                "<div><h2>Head</h2><p>One&nbsp;&nbsp; two<br/>three</p><script>evil()</script><ul><li>a</li><li>b</li></ul></div>")));

        var item = Assert.Single(items);
        Assert.Equal("Strike near& Basra", item.Title);
        Assert.Equal("Head\nOne two\nthree\na\nb", item.Text);
        Assert.Equal("Bold feed", item.SourceName);
    }

    [Fact]
    public async Task Id_falls_back_to_the_link_and_guid_wins_when_present()
    {
        var items = await ItemsAsync(SampleFeeds.Rss(
            "n",
            new SampleItem("no guid", "http://x.test/1"),
            new SampleItem("guid", "http://x.test/2", Id: "tag:x.test,2026:2")));

        Assert.Equal("http://x.test/1", items[0].Id);
        Assert.Equal("tag:x.test,2026:2", items[1].Id);
    }

    [Fact]
    public async Task Ten_thousand_item_feed_is_read_completely()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, 10_000)
            .Select(i => new SampleItem($"Item {i}", $"http://x.test/{i}", $"<p>Body {i} &amp; more</p>", start.AddMinutes(i)))
            .ToArray();

        var items = await ItemsAsync(SampleFeeds.Atom("Big", entries));

        Assert.Equal(10_000, items.Count);
        Assert.Equal("Item 9999", items[^1].Title);
        Assert.Equal("Body 9999 & more", items[^1].Text);
        Assert.Equal(start.AddMinutes(9999), items[^1].Published);
        Assert.Equal(10_000, items.Select(i => i.Id).Distinct().Count());
    }

    [Fact]
    public async Task Feed_cut_off_in_its_last_line_keeps_the_complete_items()
    {
        var items = await ItemsAsync("<rss version=\"2.0\"><channel><item><title>kept</title></item>\n</channel></rss");

        Assert.Equal("kept", Assert.Single(items).Title);
    }

    [Theory]
    [InlineData("<rss><channel><item><title>unclosed")]
    [InlineData("<rss><channel><item><title>one</title></item>\n<item><title>cut")]
    public async Task Feed_cut_off_inside_an_item_is_malformed(string xml)
    {
        var failure = Assert.IsType<FeedReadResult.Failure>(await ReadAsync(xml));

        Assert.Equal(FeedErrorKind.Malformed, failure.Kind);
    }

    [Fact]
    public async Task Rss_1_0_and_atom_0_3_are_read()
    {
        var rdf = await ItemsAsync("""
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel rdf:about="http://x.test/"><title>RDF</title></channel>
              <item rdf:about="http://x.test/1"><title>One</title><link>http://x.test/1</link><dc:date>2026-11-26T08:00:00Z</dc:date><dc:creator>Ann</dc:creator></item>
            </rdf:RDF>
            """);
        var atom03 = await ItemsAsync("""
            <feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title>
              <entry><title mode="escaped" type="text/html">A &lt;i&gt;b&lt;/i&gt;</title><link rel="alternate" href="http://x.test/a"/>
                <id>urn:a</id><issued>2004-01-01T19:48:21Z</issued><content type="text/html" mode="base64">PHA+SGk8L3A+</content></entry>
            </feed>
            """);

        Assert.Equal(("http://x.test/1", "One", "Ann"), (rdf[0].Id, rdf[0].Title, rdf[0].Author));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero), rdf[0].Published);
        Assert.Equal(("urn:a", "A b", "Hi", "http://x.test/a"), (atom03[0].Id, atom03[0].Title, atom03[0].Text, atom03[0].Link));
        Assert.Equal(new DateTimeOffset(2004, 1, 1, 19, 48, 21, TimeSpan.Zero), atom03[0].Published);
    }

    [Fact]
    public void Parser_resolves_relative_links_against_xml_base()
    {
        var feed = FeedParser.Parse(Encoding.UTF8.GetBytes("""
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://x.test/news/"><entry xml:base="2026/"><link href="item.html"/></entry></feed>
            """));

        Assert.Equal("http://x.test/news/2026/item.html", feed.Entries[0].Link);
    }

    [Fact]
    public async Task Deeply_nested_xml_is_rejected_not_a_crash()
    {
        var xml = "<rss><channel><item><title>t</title><description>" + string.Concat(Enumerable.Repeat("<b>", 100_000)) + "x" +
                  string.Concat(Enumerable.Repeat("</b>", 100_000)) + "</description></item></channel></rss>";

        var failure = Assert.IsType<FeedReadResult.Failure>(await ReadAsync(xml));

        Assert.Equal(FeedErrorKind.Malformed, failure.Kind);
        Assert.Contains("nested deeper", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)] // CPU-bound: 4 s alone, over 20 s beside the other tests
    public async Task Deeply_nested_escaped_html_does_not_crash()
    {
        var html = string.Concat(Enumerable.Repeat("<div>", 20_000)) + "deep" + string.Concat(Enumerable.Repeat("</div>", 20_000));
        var items = await ItemsAsync(SampleFeeds.Rss("n", new SampleItem("Deep", "http://x.test/d", "top " + html)));

        Assert.StartsWith("top", Assert.Single(items).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rss_091_with_netscape_doctype_reads_without_fetching_the_dtd()
    {
        var items = await ItemsAsync("""
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://127.0.0.1:9/rss-0.91.dtd">
            <rss version="0.91"><channel><title>Old</title><item><title>A&nbsp;&amp;&nbsp;B</title><link>http://x.test/ab</link>
            <description>Tom&apos;s &lt;b&gt;news&lt;/b&gt;&hellip;</description></item></channel></rss>
            """);

        var item = Assert.Single(items);
        Assert.Equal(("A & B", "Tom's news\u2026"), (item.Title, item.Text));
    }
}
