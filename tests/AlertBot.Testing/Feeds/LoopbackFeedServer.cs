using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AlertBot.Testing.Feeds;

/// <summary>How <see cref="LoopbackFeedServer"/> compresses a <see cref="LoopbackResponse.Body"/> on the wire.</summary>
public enum ContentCoding
{
    None,
    Gzip,
    Deflate,
    Brotli,
}

/// <summary>
/// What one path answers. Immutable: to change what a path serves between polls, call
/// <see cref="LoopbackFeedServer.Set"/> again with a new response.
/// </summary>
public sealed record LoopbackResponse
{
    public int Status { get; init; } = 200;

    public byte[] Body { get; init; } = [];

    public string? ContentType { get; init; } = "application/rss+xml; charset=utf-8";

    /// <summary>Sent as ETag; a request whose If-None-Match equals it gets 304 Not Modified.</summary>
    public string? ETag { get; init; }

    /// <summary>Sent as Last-Modified (RFC 1123); a request whose If-Modified-Since equals it gets 304.</summary>
    public string? LastModified { get; init; }

    /// <summary>Real-time wait before the headers are sent (prefer a FakeTimeProvider on the client side where it works).</summary>
    public TimeSpan Delay { get; init; }

    public ContentCoding Coding { get; init; }

    /// <summary>Extra response headers (Location, Content-Encoding for pre-compressed bodies, ...).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Full control for misbehaving servers (endless or slow bodies): when set, everything else is ignored.</summary>
    public Func<HttpContext, Task>? Handler { get; init; }

    public static LoopbackResponse Text(string body, string contentType = "application/rss+xml; charset=utf-8") =>
        new() { Body = Encoding.UTF8.GetBytes(body), ContentType = contentType };

    public static LoopbackResponse Redirect(string location, int status = 302) =>
        new() { Status = status, ContentType = null, Headers = new Dictionary<string, string> { ["Location"] = location } };

    public static LoopbackResponse WithStatus(int status) => new() { Status = status, ContentType = "text/plain" };
}

/// <summary>
/// A real HTTP server (Kestrel) on 127.0.0.1 and a free port, serving scripted responses per path and counting the
/// requests each path received. Unknown paths answer 404.
/// <code>
/// await using var server = await LoopbackFeedServer.StartAsync();
/// server.Set("/feed", LoopbackResponse.Text(rss) with { ETag = "\"v1\"" });
/// var url = server.Url("/feed");   // http://127.0.0.1:54321/feed
/// ... server.RequestCount("/feed"), server.RequestHeaders("/feed")[0]["If-None-Match"]
/// </code>
/// </summary>
public sealed class LoopbackFeedServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Dictionary<string, LoopbackResponse> responses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<IReadOnlyDictionary<string, string>>> requests = new(StringComparer.Ordinal);
    private readonly List<(string Path, int Count, TaskCompletionSource Done)> waiters = [];
    private readonly Lock gate = new();

    private LoopbackFeedServer(WebApplication app)
    {
        this.app = app;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<LoopbackFeedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var server = new LoopbackFeedServer(builder.Build());
        server.app.Run(server.HandleAsync);
        await server.app.StartAsync();
        server.BaseAddress = new Uri(server.app.Urls.First());
        return server;
    }

    /// <summary>Absolute URL of <paramref name="path"/> on this server.</summary>
    public string Url(string path) => new Uri(BaseAddress, path).AbsoluteUri;

    /// <summary>Serves <paramref name="response"/> at <paramref name="path"/> from the next request on.</summary>
    public void Set(string path, LoopbackResponse response)
    {
        lock (gate)
        {
            responses[path] = response;
        }
    }

    public int RequestCount(string path)
    {
        lock (gate)
        {
            return requests.TryGetValue(path, out var list) ? list.Count : 0;
        }
    }

    /// <summary>The request headers of every request <paramref name="path"/> received, oldest first.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> RequestHeaders(string path)
    {
        lock (gate)
        {
            return requests.TryGetValue(path, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Completes when <paramref name="path"/> has received <paramref name="count"/> requests; throws on timeout.</summary>
    public Task WaitForRequestsAsync(string path, int count, TimeSpan timeout)
    {
        Task task;
        lock (gate)
        {
            if (RequestCount(path) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((path, count, done));
            task = done.Task;
        }

        return task.WaitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        LoopbackResponse? response;
        lock (gate)
        {
            if (!requests.TryGetValue(path, out var list))
            {
                requests[path] = list = [];
            }

            list.Add(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            foreach (var waiter in waiters.Where(w => w.Path == path && list.Count >= w.Count).ToList())
            {
                waiter.Done.TrySetResult();
                waiters.Remove(waiter);
            }

            responses.TryGetValue(path, out response);
        }

        if (response is null)
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (response.Handler is { } handler)
        {
            await handler(context);
            return;
        }

        if (response.Delay > TimeSpan.Zero)
        {
            await Task.Delay(response.Delay, context.RequestAborted);
        }

        await WriteAsync(context, response);
    }

    private static async Task WriteAsync(HttpContext context, LoopbackResponse response)
    {
        var http = context.Response;
        if (response.ETag is { } etag)
        {
            http.Headers.ETag = etag;
        }

        if (response.LastModified is { } lastModified)
        {
            http.Headers.LastModified = lastModified;
        }

        foreach (var (name, value) in response.Headers)
        {
            http.Headers[name] = value;
        }

        var request = context.Request.Headers;
        if ((response.ETag is not null && request.IfNoneMatch.ToString() == response.ETag) ||
            (response.LastModified is not null && request.IfModifiedSince.ToString() == response.LastModified))
        {
            http.StatusCode = 304;
            return;
        }

        http.StatusCode = response.Status;
        if (response.ContentType is { } contentType)
        {
            http.ContentType = contentType;
        }

        var body = Compress(response.Body, response.Coding);
        if (response.Coding != ContentCoding.None)
        {
            http.Headers.ContentEncoding = response.Coding switch
            {
                ContentCoding.Gzip => "gzip",
                ContentCoding.Deflate => "deflate",
                _ => "br",
            };
        }

        http.ContentLength = body.Length;
        await http.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Compresses a body the way a server would send it with the given Content-Encoding.</summary>
    public static byte[] Compress(byte[] body, ContentCoding coding)
    {
        if (coding == ContentCoding.None)
        {
            return body;
        }

        using var output = new MemoryStream();
        using (Stream compressor = coding switch
               {
                   ContentCoding.Gzip => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
                   ContentCoding.Deflate => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
                   _ => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
               })
        {
            compressor.Write(body);
        }

        return output.ToArray();
    }
}
