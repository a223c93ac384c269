using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AlertBot.LoadHarness;

/// <summary>One request the farm answered.</summary>
internal readonly record struct FarmRequest(int Feed, long Timestamp, bool Changed);

/// <summary>
/// N RSS feeds on 127.0.0.1, each about 10 KB (20 items with a paragraph each), answering conditional GETs with 304.
/// A feed's content depends only on how often it was asked: its first poll reads it (the baseline), its second finds
/// it unchanged, and from the third on it has a new item with probability <see cref="ChangeShare"/>. So a window of
/// time holds a known mix of 304s and changes whatever the worker's timing. About 3 % of items name the Houthis, which
/// the default watchlist matches.
/// </summary>
internal sealed class FeedFarm : IAsyncDisposable
{
    private const int ItemsPerFeed = 20;
    private static readonly DateTimeOffset Epoch = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;
    private readonly int[] _polls;

    private FeedFarm(WebApplication app, int feeds, double changeShare)
    {
        _app = app;
        _polls = new int[feeds];
        ChangeShare = changeShare;
    }

    public double ChangeShare { get; }

    public ConcurrentQueue<FarmRequest> Requests { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<FeedFarm> StartAsync(int feeds, double changeShare)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var farm = new FeedFarm(builder.Build(), feeds, changeShare);
        farm._app.Run(farm.HandleAsync);
        await farm._app.StartAsync();
        farm.BaseAddress = new Uri(farm._app.Urls.First());
        return farm;
    }

    public string Url(int feed) => new Uri(BaseAddress, "/feeds/" + feed.ToString(CultureInfo.InvariantCulture)).AbsoluteUri;

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith("/feeds/", StringComparison.Ordinal) ||
            !int.TryParse(path.AsSpan("/feeds/".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var feed) ||
            feed < 0 || feed >= _polls.Length)
        {
            context.Response.StatusCode = 404;
            return;
        }

        var poll = Interlocked.Increment(ref _polls[feed]);
        var version = Version(feed, poll);
        var etag = $"\"{feed}-{version}\"";
        var modified = (Epoch + TimeSpan.FromMinutes(version)).ToString("R", CultureInfo.InvariantCulture);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.LastModified = modified;
        var unchanged = context.Request.Headers.IfNoneMatch.ToString() == etag;
        Requests.Enqueue(new FarmRequest(feed, Environment.TickCount64, !unchanged));
        if (unchanged)
        {
            context.Response.StatusCode = 304;
            return;
        }

        context.Response.ContentType = "application/rss+xml; charset=utf-8";
        var body = Encoding.UTF8.GetBytes(Rss(feed, version));
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>How many new items feed <paramref name="feed"/> has had by its <paramref name="poll"/>th poll.</summary>
    private int Version(int feed, int poll)
    {
        var version = 0;
        for (var k = 3; k <= poll; k++)
        {
            if (Share(feed, k) < ChangeShare)
            {
                version++;
            }
        }

        return version;
    }

    /// <summary>A well-mixed number in [0, 1) from a feed and a poll number: the same on every run.</summary>
    private static double Share(int feed, int poll)
    {
        var x = (ulong)(uint)feed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)poll * 0xC2B2AE3D27D4EB4FUL;
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        return (x >> 11) * (1.0 / (1UL << 53));
    }

    private static string Rss(int feed, int version)
    {
        var text = new StringBuilder(12_000);
        text.Append(CultureInfo.InvariantCulture, $"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Load feed {feed}</title><link>http://feeds.example/{feed}</link><description>Synthetic wire copy</description>");
        for (var j = 0; j < ItemsPerFeed; j++)
        {
            var n = version + ItemsPerFeed - j; // newest first; a new version adds one at the top
            var matching = (feed * 31 + n) % 33 == 0;
            var headline = matching
                ? $"Houthis claim attack on cargo ship in the Red Sea ({feed}/{n})"
                : $"Regional council approves budget for water projects ({feed}/{n})";
            var published = (Epoch + TimeSpan.FromMinutes(n)).ToString("R", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"<item><title>{headline}</title><link>http://feeds.example/{feed}/{n}</link><guid>feed-{feed}-item-{n}</guid><pubDate>{published}</pubDate><description>");
            text.Append("Officials said on Tuesday that the plan would be reviewed again next month after a public consultation. ");
            text.Append("The statement, issued after a long meeting, listed the projects and their costs and said contracts would follow. ");
            text.Append("Observers said the decision reflected months of talks between the parties involved in the region.");
            text.Append("</description></item>");
        }

        text.Append("</channel></rss>");
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
