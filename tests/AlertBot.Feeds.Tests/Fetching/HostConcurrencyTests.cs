using AlertBot.Core.Feeds;
using AlertBot.Feeds.Fetching;
using AlertBot.Testing.Feeds;
using Microsoft.AspNetCore.Http;

namespace AlertBot.Feeds.Tests.Fetching;

/// <summary>Politeness: no more reads of one host at once than AlertBot:Fetch:MaxConcurrentPerHost, the rest queued.</summary>
public sealed class HostConcurrencyTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string Feed = SampleFeeds.Rss("Loopback News", new SampleItem("Qaani visits Baghdad", "http://example.test/a"));

    private readonly SemaphoreSlim _arrived = new(0);
    private readonly SemaphoreSlim _release = new(0);
    private LoopbackFeedServer _server = null!;
    private int _inFlight;
    private int _mostAtOnce;

    public async Task InitializeAsync() => _server = await LoopbackFeedServer.StartAsync();

    public async Task DisposeAsync()
    {
        _release.Release(100);
        await _server.DisposeAsync();
    }

    public void Dispose()
    {
        _arrived.Dispose();
        _release.Dispose();
    }

    private static FeedReader CreateSut(int perHost)
    {
        var options = new FetchOptions { MaxConcurrentPerHost = perHost };
        options.AllowedNetworks.Add("127.0.0.1/32");
        return FeedReader.Create(options);
    }

    /// <summary>A feed that answers only when the test releases it, counting the requests it holds at once.</summary>
    private LoopbackResponse Held() => new()
    {
        Handler = async context =>
        {
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _mostAtOnce, now);
            _arrived.Release();
            await _release.WaitAsync(context.RequestAborted);
            Interlocked.Decrement(ref _inFlight);
            context.Response.ContentType = "application/rss+xml; charset=utf-8";
            await context.Response.WriteAsync(Feed, context.RequestAborted);
        },
    };

    [Fact]
    public async Task Reads_of_one_host_beyond_the_limit_wait_for_a_turn_and_all_complete()
    {
        const int feeds = 6;
        for (var i = 0; i < feeds; i++)
        {
            _server.Set($"/f{i}", Held());
        }

        var reader = CreateSut(perHost: 2);
        var reads = Enumerable.Range(0, feeds)
            .Select(i => reader.ReadAsync(_server.Url($"/f{i}"), FeedValidators.None, CancellationToken.None))
            .ToList();

        // Two arrive; each released one lets exactly one more in (the arrival is the proof the queue moved on).
        Assert.True(await _arrived.WaitAsync(Wait));
        Assert.True(await _arrived.WaitAsync(Wait));
        for (var arrivals = 2; arrivals < feeds; arrivals++)
        {
            _release.Release();
            Assert.True(await _arrived.WaitAsync(Wait));
        }

        _release.Release(2);
        var results = await Task.WhenAll(reads).WaitAsync(Wait);

        Assert.All(results, r => Assert.IsType<FeedReadResult.Success>(r));
        Assert.Equal(2, Volatile.Read(ref _mostAtOnce));
    }

    [Fact]
    public void Hosts_are_told_apart_without_regard_to_case_and_a_bad_url_is_its_own_queue()
    {
        Assert.Equal(HostConcurrency.HostOf("https://News.Example/a"), HostConcurrency.HostOf("http://news.example:8080/b"));
        Assert.NotEqual(HostConcurrency.HostOf("https://news.example/a"), HostConcurrency.HostOf("https://other.example/a"));
        Assert.Equal("not a url", HostConcurrency.HostOf("not a url"));
    }

    [Fact]
    public void A_limit_outside_1_to_256_is_refused_naming_the_key()
    {
        var result = new FetchOptionsValidator().Validate(null, new FetchOptions { MaxConcurrentPerHost = 0 });
        Assert.True(result.Failed);
        Assert.Contains("AlertBot:Fetch:MaxConcurrentPerHost", result.FailureMessage, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
