using System.Collections.Concurrent;
using System.Net;
using AlertBot.Core.Feeds;
using AlertBot.Feeds.Fetching;
using AlertBot.Feeds.Ssrf;
using AlertBot.Testing.Feeds;

namespace AlertBot.Feeds.Tests.Ssrf;

/// <summary>
/// The SSRF guard through the real reader against a real server on 127.0.0.1, which here plays the private address
/// a hostile feed URL aims at: each test proves the server was never reached, or reached only where allowed.
/// </summary>
public sealed class GuardedFetchTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string Feed = SampleFeeds.Rss("Inside", new SampleItem("Internal memo", "http://x.test/1"));

    private LoopbackFeedServer server = null!;

    public async Task InitializeAsync()
    {
        server = await LoopbackFeedServer.StartAsync();
        server.Set("/feed", LoopbackResponse.Text(Feed));
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private int Port => server.BaseAddress.Port;

    private static FeedReader CreateSut(Action<FetchOptions>? configure = null, IHostResolver? resolver = null) =>
        FeedReader.Create(TestOptions.With(configure), resolver: resolver);

    private static async Task<FeedReadResult> ReadAsync(FeedReader reader, string url) =>
        await reader.ReadAsync(url, FeedValidators.None, CancellationToken.None).WaitAsync(Wait);

    private static FeedReadResult.Failure Blocked(FeedReadResult result)
    {
        var failure = Assert.IsType<FeedReadResult.Failure>(result);
        Assert.Equal(FeedErrorKind.Blocked, failure.Kind);
        Assert.DoesNotContain('\n', failure.Reason);
        return failure;
    }

    [Fact]
    public async Task Loopback_address_is_blocked_by_default_and_an_allowed_network_lets_it_through()
    {
        var failure = Blocked(await ReadAsync(CreateSut(), server.Url("/feed")));

        Assert.Equal("address 127.0.0.1 is loopback (127.0.0.0/8); add it to AlertBot:Fetch:AllowedNetworks to allow it", failure.Reason);
        Assert.Equal(0, server.RequestCount("/feed"));

        var allowed = await ReadAsync(CreateSut(o => o.AllowedNetworks.Add("127.0.0.0/8")), server.Url("/feed"));

        Assert.Equal("Internal memo", Assert.IsType<FeedReadResult.Success>(allowed).Items[0].Title);
        Assert.Equal(1, server.RequestCount("/feed"));
    }

    [Fact]
    public async Task Host_name_that_resolves_to_loopback_is_blocked_at_connect()
    {
        // "localhost" goes through the system resolver: only the connect-time check can see where it points.
        var failure = Blocked(await ReadAsync(CreateSut(), $"http://localhost:{Port}/feed"));

        Assert.StartsWith("localhost resolves only to refused addresses: address ", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("loopback", failure.Reason, StringComparison.Ordinal);
        Assert.EndsWith("or add localhost to AlertBot:Fetch:AllowedHosts", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(0, server.RequestCount("/feed"));
    }

    [Theory]
    [InlineData("http://2130706433:{0}/feed")]
    [InlineData("http://0x7f.1:{0}/feed")]
    [InlineData("http://0177.0.0.1:{0}/feed")]
    [InlineData("http://127.1:{0}/feed")]
    [InlineData("http://[::ffff:127.0.0.1]:{0}/feed")]
    public async Task Odd_spellings_of_the_loopback_address_are_blocked(string template)
    {
        var url = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Port);

        var failure = Blocked(await ReadAsync(CreateSut(), url));

        Assert.Contains("127.0.0.1", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(0, server.RequestCount("/feed"));
    }

    [Fact]
    public async Task Dns_rebinding_to_a_private_address_is_blocked_on_the_next_connection()
    {
        // 127.0.0.1 stands in for the feed's public address (it is the only one a test can serve from); the second
        // answer is the cloud metadata address. Connection: close makes the second read open, and resolve, anew.
        server.Set("/feed", LoopbackResponse.Text(Feed) with { Headers = new Dictionary<string, string> { ["Connection"] = "close" } });
        var resolver = new ScriptedResolver();
        resolver.Answer("news.test", "127.0.0.1");
        resolver.Answer("news.test", "169.254.169.254");
        var reader = CreateSut(o => o.AllowedNetworks.Add("127.0.0.1/32"), resolver);

        Assert.IsType<FeedReadResult.Success>(await ReadAsync(reader, $"http://news.test:{Port}/feed"));
        var failure = Blocked(await ReadAsync(reader, $"http://news.test:{Port}/feed"));

        Assert.Equal(2, resolver.Lookups("news.test"));
        Assert.StartsWith("news.test resolves only to refused addresses: address 169.254.169.254 is link-local", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(1, server.RequestCount("/feed"));
    }

    [Fact]
    public async Task Refused_answers_are_skipped_and_the_allowed_address_is_used()
    {
        var resolver = new ScriptedResolver();
        resolver.Answer("mixed.test", "10.0.0.5", "169.254.169.254", "127.0.0.1");
        var reader = CreateSut(o => o.AllowedNetworks.Add("127.0.0.1/32"), resolver);

        var success = Assert.IsType<FeedReadResult.Success>(await ReadAsync(reader, $"http://mixed.test:{Port}/feed"));

        Assert.Equal("Internal memo", success.Items[0].Title);
    }

    [Fact]
    public async Task Redirect_from_an_allowed_host_to_a_private_literal_address_is_blocked()
    {
        server.Set("/start", LoopbackResponse.Redirect(server.Url("/feed")));
        var reader = CreateSut(o => o.AllowedHosts.Add("localhost"));

        var failure = Blocked(await ReadAsync(reader, $"http://localhost:{Port}/start"));

        Assert.Equal(1, server.RequestCount("/start"));
        Assert.Equal(0, server.RequestCount("/feed"));
        Assert.Equal(
            $"redirect to http://127.0.0.1:{Port}/feed refused: address 127.0.0.1 is loopback (127.0.0.0/8); add it to AlertBot:Fetch:AllowedNetworks to allow it",
            failure.Reason);
    }

    [Fact]
    public async Task Redirect_to_a_host_name_that_resolves_private_is_blocked_at_connect()
    {
        server.Set("/start", LoopbackResponse.Redirect($"http://intranet.test:{Port}/feed"));
        var resolver = new ScriptedResolver();
        resolver.Answer("feeds.test", "127.0.0.1");
        resolver.Answer("intranet.test", "127.0.0.1");
        var reader = CreateSut(o => o.AllowedHosts.Add("feeds.test"), resolver);

        var failure = Blocked(await ReadAsync(reader, $"http://feeds.test:{Port}/start"));

        Assert.StartsWith($"redirect to http://intranet.test:{Port}/feed refused: intranet.test resolves only to refused addresses", failure.Reason, StringComparison.Ordinal);
        Assert.Equal((1, 0), (server.RequestCount("/start"), server.RequestCount("/feed")));
    }

    [Fact]
    public async Task Guard_switched_off_reaches_private_addresses()
    {
        var success = await ReadAsync(CreateSut(o => o.BlockPrivateAddresses = false), server.Url("/feed"));

        Assert.IsType<FeedReadResult.Success>(success);
    }

    /// <summary>A DNS server that answers each name from a script, one answer per lookup; the last answer repeats.</summary>
    private sealed class ScriptedResolver : IHostResolver
    {
        private readonly ConcurrentDictionary<string, List<IPAddress[]>> answers = new(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentDictionary<string, int> lookups = new(StringComparer.OrdinalIgnoreCase);

        public void Answer(string host, params string[] addresses) =>
            answers.GetOrAdd(host, _ => []).Add([.. addresses.Select(IPAddress.Parse)]);

        public int Lookups(string host) => lookups.GetValueOrDefault(host);

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            var n = lookups.AddOrUpdate(host, 1, (_, count) => count + 1);
            var script = answers.TryGetValue(host, out var list) ? list : throw new InvalidOperationException($"no DNS answer scripted for {host}");
            return Task.FromResult(script[Math.Min(n, script.Count) - 1]);
        }
    }
}
