using System.Net;
using System.Net.Sockets;
using System.Text;
using AlertBot.Core.Feeds;
using AlertBot.Feeds.Fetching;
using AlertBot.Testing.Feeds;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Feeds.Tests.Fetching;

/// <summary>FeedReader against a real HTTP server on 127.0.0.1.</summary>
public sealed class HttpFetchingTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string Feed = SampleFeeds.Rss(
        "Loopback News",
        new SampleItem("Qaani visits Baghdad", "http://example.test/a", "<p>Iraq talks</p>"),
        new SampleItem("Houthis fire missile", "http://example.test/b", "Red Sea"));

    private LoopbackFeedServer server = null!;

    public async Task InitializeAsync() => server = await LoopbackFeedServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>The SSRF guard stays on; only the loopback server's address is let through, as an operator would.</summary>
    private static FeedReader CreateSut(FetchOptions? options = null, TimeProvider? time = null, IFeedUrlPolicy? policy = null)
    {
        options ??= new FetchOptions();
        options.AllowedNetworks.Add("127.0.0.1/32");
        return FeedReader.Create(options, time, policy);
    }

    private static async Task<FeedReadResult> ReadAsync(FeedReader reader, string url, FeedValidators? validators = null) =>
        await reader.ReadAsync(url, validators ?? FeedValidators.None, CancellationToken.None).WaitAsync(Wait);

    private static T As<T>(FeedReadResult result)
        where T : FeedReadResult =>
        Assert.IsType<T>(result);

    [Fact]
    public async Task Reads_items_and_sends_feed_headers()
    {
        server.Set("/feed", LoopbackResponse.Text(Feed));

        var success = As<FeedReadResult.Success>(await ReadAsync(CreateSut(new FetchOptions { UserAgent = "AlertBotTest/2" }), server.Url("/feed")));

        Assert.Equal("Loopback News", success.FeedTitle);
        Assert.Equal(["Qaani visits Baghdad", "Houthis fire missile"], success.Items.Select(i => i.Title));
        Assert.Equal("Iraq talks", success.Items[0].Text);
        var headers = server.RequestHeaders("/feed").Single();
        Assert.Equal("AlertBotTest/2", headers["User-Agent"]);
        Assert.Contains("gzip", headers["Accept-Encoding"], StringComparison.Ordinal);
        Assert.Contains("br", headers["Accept-Encoding"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unchanged_feed_with_etag_is_not_modified_and_a_change_is_read()
    {
        server.Set("/feed", LoopbackResponse.Text(Feed) with { ETag = "\"v1\"" });
        var reader = CreateSut();

        var first = As<FeedReadResult.Success>(await ReadAsync(reader, server.Url("/feed")));
        Assert.Equal("\"v1\"", first.Validators.ETag);

        var second = As<FeedReadResult.NotModified>(await ReadAsync(reader, server.Url("/feed"), first.Validators));
        Assert.Equal("\"v1\"", second.Validators.ETag);
        Assert.Equal("\"v1\"", server.RequestHeaders("/feed")[1]["If-None-Match"]);

        server.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("Loopback News", new SampleItem("New item", "http://example.test/c"))) with { ETag = "\"v2\"" });
        var third = As<FeedReadResult.Success>(await ReadAsync(reader, server.Url("/feed"), second.Validators));
        Assert.Equal("New item", Assert.Single(third.Items).Title);
        Assert.Equal("\"v2\"", third.Validators.ETag);
    }

    [Fact]
    public async Task Unchanged_feed_with_last_modified_is_not_modified()
    {
        const string stamp = "Fri, 27 Nov 2026 07:00:00 GMT";
        server.Set("/feed", LoopbackResponse.Text(Feed) with { LastModified = stamp });
        var reader = CreateSut();

        var first = As<FeedReadResult.Success>(await ReadAsync(reader, server.Url("/feed")));
        Assert.Equal(stamp, first.Validators.LastModified);
        Assert.Null(first.Validators.ETag);

        As<FeedReadResult.NotModified>(await ReadAsync(reader, server.Url("/feed"), first.Validators));
        Assert.Equal(stamp, server.RequestHeaders("/feed")[1]["If-Modified-Since"]);
    }

    [Theory]
    [InlineData(ContentCoding.Gzip)]
    [InlineData(ContentCoding.Deflate)]
    [InlineData(ContentCoding.Brotli)]
    public async Task Compressed_bodies_are_decompressed(ContentCoding coding)
    {
        server.Set("/feed", LoopbackResponse.Text(Feed) with { Coding = coding });

        var success = As<FeedReadResult.Success>(await ReadAsync(CreateSut(), server.Url("/feed")));

        Assert.Equal(2, success.Items.Count);
    }

    [Fact]
    public async Task Raw_deflate_without_zlib_header_is_accepted()
    {
        using var raw = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(raw, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(Encoding.UTF8.GetBytes(Feed));
        }

        server.Set("/feed", new LoopbackResponse { Body = raw.ToArray(), Headers = new Dictionary<string, string> { ["Content-Encoding"] = "deflate" } });

        Assert.Equal(2, As<FeedReadResult.Success>(await ReadAsync(CreateSut(), server.Url("/feed"))).Items.Count);
    }

    [Fact]
    public async Task Body_over_max_body_bytes_is_too_large()
    {
        server.Set("/big", new LoopbackResponse { Body = new byte[200_000] });

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(new FetchOptions { MaxBodyBytes = 100_000 }), server.Url("/big")));

        Assert.Equal(FeedErrorKind.TooLarge, failure.Kind);
        Assert.Contains("MaxBodyBytes", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gzip_bomb_stops_at_max_decompressed_bytes()
    {
        // 20 MB of zeros compress to about 20 KB: well under the body cap, far over the decompressed cap.
        server.Set("/bomb", new LoopbackResponse { Body = new byte[20_000_000], Coding = ContentCoding.Gzip });
        var options = new FetchOptions { MaxBodyBytes = 1_000_000, MaxDecompressedBytes = 2_000_000 };

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(options), server.Url("/bomb")));

        Assert.Equal(FeedErrorKind.TooLarge, failure.Kind);
        Assert.Contains("MaxDecompressedBytes", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endless_body_without_length_stops_at_max_body_bytes()
    {
        server.Set("/endless", new LoopbackResponse
        {
            Handler = async context =>
            {
                context.Response.ContentType = "application/rss+xml";
                var chunk = Encoding.ASCII.GetBytes("<rss><channel>" + new string(' ', 65_000));
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }
            },
        });

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(new FetchOptions { MaxBodyBytes = 1_000_000 }), server.Url("/endless")));

        Assert.Equal(FeedErrorKind.TooLarge, failure.Kind);
    }

    [Fact]
    public async Task Slow_drip_body_hits_the_overall_deadline()
    {
        var bodyStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Set("/drip", new LoopbackResponse
        {
            Handler = async context =>
            {
                context.Response.ContentType = "application/rss+xml";
                await context.Response.WriteAsync("<rss><channel><title>drip", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                bodyStarted.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            },
        });
        var time = new FakeTimeProvider();
        var reader = CreateSut(new FetchOptions { Timeout = TimeSpan.FromSeconds(30) }, time);

        var reading = reader.ReadAsync(server.Url("/drip"), FeedValidators.None, CancellationToken.None);
        await bodyStarted.Task.WaitAsync(Wait);
        time.Advance(TimeSpan.FromSeconds(31));

        var failure = As<FeedReadResult.Failure>(await reading.WaitAsync(Wait));
        Assert.Equal(FeedErrorKind.Timeout, failure.Kind);
    }

    [Fact]
    public async Task Redirect_chain_within_the_limit_is_followed()
    {
        server.Set("/r1", LoopbackResponse.Redirect("/r2", 301));
        server.Set("/r2", LoopbackResponse.Redirect(server.Url("/r3"), 307));
        server.Set("/r3", LoopbackResponse.Redirect("/feed", 308));
        server.Set("/feed", LoopbackResponse.Text(Feed));

        var success = As<FeedReadResult.Success>(await ReadAsync(CreateSut(new FetchOptions { MaxRedirects = 3 }), server.Url("/r1")));

        Assert.Equal(2, success.Items.Count);
        Assert.All(new[] { "/r1", "/r2", "/r3", "/feed" }, p => Assert.Equal(1, server.RequestCount(p)));
    }

    [Fact]
    public async Task Redirect_loop_is_stopped_at_max_redirects()
    {
        server.Set("/loop", LoopbackResponse.Redirect("/loop"));

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(new FetchOptions { MaxRedirects = 4 }), server.Url("/loop")));

        Assert.Equal(FeedErrorKind.Blocked, failure.Kind);
        Assert.Contains("redirects", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(5, server.RequestCount("/loop"));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.test/feed.xml")]
    [InlineData("gopher://example.test/")]
    public async Task Redirect_to_a_non_http_scheme_is_blocked(string location)
    {
        server.Set("/out", LoopbackResponse.Redirect(location));

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(), server.Url("/out")));

        Assert.Equal(FeedErrorKind.Blocked, failure.Kind);
        Assert.Contains("not allowed", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_redirect_hop_is_checked_by_the_url_policy()
    {
        server.Set("/start", LoopbackResponse.Redirect("/private"));
        server.Set("/private", LoopbackResponse.Text(Feed));

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(policy: new RefusePath("/private")), server.Url("/start")));

        Assert.Equal(FeedErrorKind.Blocked, failure.Kind);
        Assert.Equal(0, server.RequestCount("/private"));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(500)]
    [InlineData(410)]
    public async Task Error_status_is_an_http_status_failure(int status)
    {
        server.Set("/status", LoopbackResponse.WithStatus(status));

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(), server.Url("/status")));

        Assert.Equal(FeedErrorKind.HttpStatus, failure.Kind);
        Assert.StartsWith($"HTTP {status}", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_connection_is_a_network_failure()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(), $"http://127.0.0.1:{port}/feed"));

        Assert.Equal(FeedErrorKind.Network, failure.Kind);
        Assert.DoesNotContain('\n', failure.Reason);
    }

    [Fact]
    public async Task Malformed_xml_is_a_malformed_failure()
    {
        server.Set("/broken", LoopbackResponse.Text("<rss><channel><item><title>one</titel></item>\n<item><title>two</title></item></channel></rss>"));

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(), server.Url("/broken")));

        Assert.Equal(FeedErrorKind.Malformed, failure.Kind);
        Assert.Contains("not well-formed XML", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_page_instead_of_a_feed_is_malformed()
    {
        server.Set("/page", LoopbackResponse.Text("<html><head><title>x</title></head><body>hi</body></html>", "text/html"));

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(), server.Url("/page")));

        Assert.Equal(FeedErrorKind.Malformed, failure.Kind);
        Assert.Contains("this is a web page, not a feed", failure.Reason, StringComparison.Ordinal); // was the parser's "<html>": feed discovery now reads the page
    }

    [Fact]
    public async Task Http_charset_decodes_windows_1252_bytes()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Encoding.GetEncoding(1252).GetBytes(SampleFeeds.Rss("Caf\u00e9", new SampleItem("Don\u2019t \u00e9t\u00e9 \u20ac5", "http://example.test/x"))
            .Replace("encoding=\"utf-8\"", "", StringComparison.Ordinal));
        server.Set("/cp1252", new LoopbackResponse { Body = bytes, ContentType = "application/rss+xml; charset=windows-1252" });

        var success = As<FeedReadResult.Success>(await ReadAsync(CreateSut(), server.Url("/cp1252")));

        Assert.Equal("Caf\u00e9", success.FeedTitle);
        Assert.Equal("Don\u2019t \u00e9t\u00e9 \u20ac5", success.Items[0].Title);
    }

    [Fact]
    public async Task Relative_links_resolve_against_the_final_url()
    {
        server.Set("/old", LoopbackResponse.Redirect("/news/feed"));
        server.Set("/news/feed", LoopbackResponse.Text(SampleFeeds.Rss("n", new SampleItem("t", "/news/item-1"))));

        var success = As<FeedReadResult.Success>(await ReadAsync(CreateSut(), server.Url("/old")));

        Assert.Equal(server.Url("/news/item-1"), success.Items[0].Link);
    }

    [Fact]
    public async Task Default_latin1_label_loses_to_valid_utf8_content()
    {
        var bytes = Encoding.UTF8.GetBytes(SampleFeeds.Rss("n", new SampleItem("Qa’ani قاآنی", "http://example.test/q")));
        server.Set("/mislabelled", new LoopbackResponse { Body = bytes, ContentType = "text/xml; charset=ISO-8859-1" });

        var success = As<FeedReadResult.Success>(await ReadAsync(CreateSut(), server.Url("/mislabelled")));

        Assert.Equal("Qa’ani قاآنی", success.Items[0].Title);
    }

    [Fact]
    public async Task External_entities_and_dtds_in_a_fetched_feed_read_no_file_and_fetch_nothing()
    {
        var secret = Path.Combine(Directory.CreateTempSubdirectory("alertbot-xxe-").FullName, "secret.txt");
        await File.WriteAllTextAsync(secret, "FILE-MARKER-7f3a");
        try
        {
            foreach (var path in new[] { "/secret", "/evil.dtd", "/rss.dtd" })
            {
                server.Set(path, LoopbackResponse.Text("<!ENTITY leak \"NET-MARKER-91c2\">NET-MARKER-91c2", "text/plain"));
            }

            server.Set("/xxe", LoopbackResponse.Text($"""
                <?xml version="1.0"?>
                <!DOCTYPE rss SYSTEM "{server.Url("/rss.dtd")}" [
                  <!ENTITY file SYSTEM "{new Uri(secret).AbsoluteUri}">
                  <!ENTITY net SYSTEM "{server.Url("/secret")}">
                  <!ENTITY % dtd SYSTEM "{server.Url("/evil.dtd")}"> %dtd;
                ]>
                <rss version="2.0"><channel><title>x &file;</title><item><title>A &file; B &net; C &leak;</title>
                <description>&file;&net;</description><link>http://x.test/1</link></item></channel></rss>
                """));

            var success = As<FeedReadResult.Success>(await ReadAsync(CreateSut(), server.Url("/xxe")));

            var text = success.FeedTitle + string.Concat(success.Items.Select(i => i.Title + i.Text));
            Assert.DoesNotContain("FILE-MARKER", text, StringComparison.Ordinal);
            Assert.DoesNotContain("NET-MARKER", text, StringComparison.Ordinal);
            Assert.Equal(0, server.RequestCount("/secret") + server.RequestCount("/evil.dtd") + server.RequestCount("/rss.dtd"));
            Assert.Single(success.Items);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(secret)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("application/rss+xml; charset=x-klingon", "")]
    [InlineData("application/rss+xml; charset=utf-16", "")]
    [InlineData("application/rss+xml", " encoding=\"no-such-encoding\"")]
    [InlineData("application/rss+xml; charset=\"utf-8", " encoding=\"utf-32\"")]
    public async Task Wrong_or_unknown_encoding_labels_fall_back_to_the_bytes(string contentType, string declaration)
    {
        var xml = $"<?xml version=\"1.0\"{declaration}?><rss><channel><item><title>Qa\u2019ani \u0642\u0627\u0622\u0646\u06cc</title></item></channel></rss>";
        server.Set("/label", new LoopbackResponse { Body = Encoding.UTF8.GetBytes(xml), ContentType = contentType });

        var success = As<FeedReadResult.Success>(await ReadAsync(CreateSut(), server.Url("/label")));

        Assert.Equal("Qa\u2019ani \u0642\u0627\u0622\u0646\u06cc", success.Items[0].Title);
    }

    [Fact]
    public async Task Invalid_utf8_bytes_are_read_not_a_crash()
    {
        var head = Encoding.ASCII.GetBytes("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><item><title>bad ");
        var tail = Encoding.ASCII.GetBytes(" byte</title></item></channel></rss>");
        server.Set("/invalid", new LoopbackResponse { Body = [.. head, 0xC3, 0x28, 0x20, 0xFF, 0x80, .. tail] });

        var success = As<FeedReadResult.Success>(await ReadAsync(CreateSut(), server.Url("/invalid")));

        Assert.Equal("bad \u00c3( \u00ff\u20ac byte", success.Items[0].Title);
    }

    [Fact]
    public async Task Binary_body_is_malformed_not_a_crash()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0xFF, 0x00 };
        server.Set("/png", new LoopbackResponse { Body = png, ContentType = "application/rss+xml" });

        var failure = As<FeedReadResult.Failure>(await ReadAsync(CreateSut(), server.Url("/png")));

        Assert.Equal(FeedErrorKind.Malformed, failure.Kind);
        Assert.DoesNotContain('\n', failure.Reason);
    }

    private sealed class RefusePath(string path) : IFeedUrlPolicy
    {
        public ValueTask<string?> CheckAsync(Uri uri, CancellationToken cancellationToken) =>
            ValueTask.FromResult(uri.AbsolutePath == path ? "private address" : null);
    }
}
