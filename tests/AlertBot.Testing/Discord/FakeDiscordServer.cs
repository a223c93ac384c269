using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AlertBot.Testing.Faults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlertBot.Testing.Discord;

/// <summary>One REST request as the fake saw it; <paramref name="Fault"/> says how an injected fault spoiled its answer.</summary>
public sealed record FakeDiscordRequest(
    long Sequence,
    string Method,
    string Path,
    string? Authorization,
    string? UserAgent,
    string Body,
    int Status,
    bool WasRateLimited,
    ChatFault Fault = ChatFault.None,
    TimeSpan At = default)
{
    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);

    /// <summary>Files of a multipart request (file name → text); the JSON part is <see cref="Body"/>.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>The same files as bytes (an image is not text).</summary>
    public IReadOnlyDictionary<string, byte[]> FileBytes { get; init; } = new Dictionary<string, byte[]>();
}

/// <summary>A message the fake accepted into a channel or through a webhook.</summary>
public sealed record FakeDiscordMessage(string Id, string ChannelKey, string? Nonce, JsonNode Body);

/// <summary>A 429 the fake answered with, and whether a test asked for it.</summary>
public sealed record FakeRateLimitHit(string Path, bool Global, bool Injected);

/// <summary>
/// A loopback Discord: REST v10 routes used by AlertBot with real rate-limit headers and 429 bodies, per-bucket and
/// global limits enforced (a client that ignores the headers gets 429s), nonce de-duplication, and a WebSocket
/// gateway whose every connection a test scripts through <see cref="AcceptGatewayAsync"/>.
/// </summary>
public sealed class FakeDiscordServer : IAsyncDisposable
{
    public const string ApplicationId = "700000000000000001";
    public const string MessageBucketHash = "b6d1f9a3c2e4";
    public const string WebhookBucketHash = "0f7e9c1a2b3d";

    private readonly WebApplication _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private readonly List<FakeDiscordRequest> _requests = [];
    private readonly List<FakeRateLimitHit> _rateLimits = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _attachments = new(StringComparer.Ordinal);
    private int _attachmentDownloads;
    private readonly Dictionary<string, List<FakeDiscordMessage>> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Count, TimeSpan WindowStart)> _buckets = new(StringComparer.Ordinal);
    private readonly Queue<TimeSpan> _globalWindow = new();
    private readonly Dictionary<string, TimeSpan> _bucketBlockedUntil = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failAfterCreate = new(StringComparer.Ordinal);

    // Interaction tokens answered by a callback: Discord takes one initial response per interaction, and the
    // interaction's webhook (@original, follow-ups) exists only after it.
    private readonly HashSet<string> _respondedInteractions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dropAfterCreate = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<(int Status, JsonObject? Body)>> _injectedStatuses = new(StringComparer.Ordinal);
    private readonly Channel<FakeGatewayConnection> _connections = Channel.CreateUnbounded<FakeGatewayConnection>();
    private readonly List<Waiter> _waiters = [];
    private readonly List<FakeGatewayConnection> _allConnections = [];
    private TimeSpan _globalBlockedUntil;
    private long _sequence;
    private long _nextId = 1_100_000_000_000_000_000;

    private FakeDiscordServer(WebApplication app) => _app = app;

    public string BotToken { get; set; } = "fake-bot-token.XYZ.123";

    /// <summary>Requests per bucket window (Discord's message bucket is 5 per 5 s; tests use short windows).</summary>
    public int BucketLimit { get; set; } = 5;

    public TimeSpan BucketWindow { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Global requests per second across all routes that count.</summary>
    public int GlobalLimit { get; set; } = 50;

    public HashSet<string> GoneChannels { get; } = new(StringComparer.Ordinal);

    public HashSet<string> ForbiddenChannels { get; } = new(StringComparer.Ordinal);

    /// <summary>Webhook id → token of webhooks that exist.</summary>
    public ConcurrentDictionary<string, string> Webhooks { get; } = new(StringComparer.Ordinal);

    public int SessionStartRemaining { get; set; } = 1000;

    /// <summary>The shard count /gateway/bot recommends.</summary>
    public int Shards { get; set; } = 1;

    /// <summary>
    /// Spoils a share of create-message calls (5xx, 429 with retry_after, answers held past the client's timeout, cut
    /// connections); null for none. Its 429s count as injected, not as limits the client failed to respect.
    /// </summary>
    public FaultInjector? Faults { get; set; }

    public int MaxConcurrency { get; set; } = 1;

    public string BaseAddress { get; private set; } = "";

    public string ApiBaseUrl => $"{BaseAddress}/api/v10";

    public string GatewayUrl => $"{WsBase}/gateway";

    public string ResumeGatewayUrl => $"{WsBase}/resume-gateway";

    private string WsBase => "ws" + BaseAddress["http".Length..];

    public static async Task<FakeDiscordServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeDiscordServer(app);
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = address.TrimEnd('/');
        return server;
    }

    public IReadOnlyList<FakeDiscordRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<FakeRateLimitHit> RateLimits
    {
        get
        {
            lock (_lock)
            {
                return [.. _rateLimits];
            }
        }
    }

    /// <summary>The fake's clock, the one <see cref="FakeDiscordRequest.At"/> is read from (to time a delivery from outside).</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>429s the client drew by itself, i.e. limits it did not respect.</summary>
    public int UnexpectedRateLimitCount => RateLimits.Count(r => !r.Injected);

    public IReadOnlyList<FakeDiscordMessage> MessagesIn(string channelKey)
    {
        lock (_lock)
        {
            return _messages.TryGetValue(channelKey, out var list) ? [.. list] : [];
        }
    }

    /// <summary>The next request on the channel's (or webhook's) bucket gets a 429 with this retry_after.</summary>
    public void InjectRateLimit(string majorParameter, TimeSpan retryAfter)
    {
        lock (_lock)
        {
            _bucketBlockedUntil[majorParameter] = _clock.Elapsed + retryAfter;
            _injectPending.Add(majorParameter);
        }
    }

    /// <summary>The next counted request gets a global 429; any request before retry_after passes gets one too.</summary>
    public void InjectGlobalRateLimit(TimeSpan retryAfter)
    {
        lock (_lock)
        {
            _globalBlockedUntil = _clock.Elapsed + retryAfter;
            _globalInjectPending = true;
        }
    }

    /// <summary>The next create-message on the channel is stored, but the client is told 500 (a lost response).</summary>
    public void FailAfterCreate(string channelId)
    {
        lock (_lock)
        {
            _failAfterCreate.Add(channelId);
        }
    }

    /// <summary>The next create-message on the channel is stored, then the connection is cut before any answer.</summary>
    public void DropAfterCreate(string channelId)
    {
        lock (_lock)
        {
            _dropAfterCreate.Add(channelId);
        }
    }

    /// <summary>The next request whose path starts with <paramref name="pathPrefix"/> is answered with this status.</summary>
    public void InjectStatus(string pathPrefix, int status)
    {
        lock (_lock)
        {
            if (!_injectedStatuses.TryGetValue(pathPrefix, out var queue))
            {
                _injectedStatuses[pathPrefix] = queue = new Queue<(int, JsonObject?)>();
            }

            queue.Enqueue((status, null));
        }
    }

    /// <summary>
    /// The next request whose path starts with <paramref name="pathPrefix"/> is refused as Discord refuses a bad body:
    /// 400, code 50035 "Invalid Form Body", and the offending field under <c>errors</c>.
    /// </summary>
    public void InjectInvalidFormBody(string pathPrefix, string field, string code, string message)
    {
        var body = new JsonObject
        {
            ["code"] = 50035,
            ["message"] = "Invalid Form Body",
            ["errors"] = new JsonObject
            {
                [field] = new JsonObject { ["_errors"] = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message }) },
            },
        };
        lock (_lock)
        {
            if (!_injectedStatuses.TryGetValue(pathPrefix, out var queue))
            {
                _injectedStatuses[pathPrefix] = queue = new Queue<(int, JsonObject?)>();
            }

            queue.Enqueue((400, body));
        }
    }

    public async Task<FakeDiscordRequest> WaitForRequestAsync(Func<FakeDiscordRequest, bool> match, TimeSpan? timeout = null)
    {
        var waiter = new Waiter(match);
        lock (_lock)
        {
            var existing = _requests.FirstOrDefault(match);
            if (existing is not null)
            {
                return existing;
            }

            _waiters.Add(waiter);
        }

        return await waiter.Completion.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    public async Task<FakeGatewayConnection> AcceptGatewayAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _connections.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No gateway connection arrived in time.");
        }
    }

    /// <summary>True when a gateway connection is already waiting (a test asserting that none came uses this).</summary>
    public bool TryAcceptGateway(out FakeGatewayConnection? connection) => _connections.Reader.TryRead(out connection);

    public async ValueTask DisposeAsync()
    {
        _connections.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var connection in _allConnections)
        {
            connection.Dispose();
        }
    }

    private readonly HashSet<string> _injectPending = new(StringComparer.Ordinal);
    private bool _globalInjectPending;

    /// <summary>A file a user attached, served at the returned URL (standing in for cdn.discordapp.com).</summary>
    public string AddAttachment(string id, string fileName, byte[] content)
    {
        _attachments[id] = content;
        return $"{BaseAddress}/attachments/{ChannelIdForAttachments}/{id}/{Uri.EscapeDataString(fileName)}?ex=signed";
    }

    /// <summary>How often an attachment was downloaded.</summary>
    public int AttachmentDownloads => Volatile.Read(ref _attachmentDownloads);

    private const string ChannelIdForAttachments = "610000000000000001";

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (context.Request.Method == "GET" && path.Split('/') is ["", "attachments", _, var attachmentId, _])
        {
            if (_attachments.TryGetValue(attachmentId, out var file))
            {
                Interlocked.Increment(ref _attachmentDownloads);
                await context.Response.Body.WriteAsync(file);
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            return;
        }

        if (context.WebSockets.IsWebSocketRequest && path is "/gateway" or "/resume-gateway")
        {
            var socket = await context.WebSockets.AcceptWebSocketAsync();
            var connection = new FakeGatewayConnection(socket, path, context.Request.QueryString.Value ?? "");
            lock (_lock)
            {
                _allConnections.Add(connection);
            }

            await _connections.Writer.WriteAsync(connection);
            await connection.RunAsync(context.RequestAborted);
            return;
        }

        string body;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var fileBytes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (context.Request.HasFormContentType)
        {
            // Uploads: the message JSON is the payload_json part, the files are parts of their own.
            var form = await context.Request.ReadFormAsync();
            body = form["payload_json"].ToString();
            foreach (var file in form.Files)
            {
                using var content = new MemoryStream();
                await file.CopyToAsync(content);
                fileBytes[file.FileName] = content.ToArray();
                files[file.FileName] = Encoding.UTF8.GetString(fileBytes[file.FileName]);
            }
        }
        else
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync();
        }
        var route = path.StartsWith("/api/v10/", StringComparison.Ordinal) ? path["/api/v10/".Length..] : path;
        var fault = Faults is { } faults && context.Request.Method == "POST" && route.Split('/') is ["channels", _, "messages"]
            ? faults.Next()
            : ChatFault.None;
        var reply = fault switch
        {
            ChatFault.ServerError => new Reply(502, new JsonObject { ["message"] = "502: Bad Gateway", ["code"] = 0 }, []),
            ChatFault.RateLimited => InjectedRateLimit(path),
            ChatFault.DropBefore => new Reply(0, null, []),
            _ => Route(context.Request.Method, route, context.Request.Headers.Authorization.ToString(), body),
        };
        if (fault is ChatFault.DropBefore or ChatFault.DropAfter or ChatFault.Timeout)
        {
            Record(NewRequest(context, path, body, reply.Status, fault));
            if (fault != ChatFault.DropBefore && reply.Status is >= 200 and < 300)
            {
                Faults!.ResponseLost();
            }

            if (fault == ChatFault.Timeout)
            {
                try
                {
                    await Task.Delay(Faults!.HangFor, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up first, as it should.
                }
            }

            context.Abort();
            return;
        }

        if (reply.CutConnection)
        {
            Record(NewRequest(context, path, body, reply.Status, fault));
            context.Abort();
            return;
        }

        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers)
        {
            context.Response.Headers[name] = value;
        }

        Record(NewRequest(context, path, body, reply.Status, fault) with { Files = files, FileBytes = fileBytes });

        if (reply.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body.ToJsonString());
        }
    }

    private FakeDiscordRequest NewRequest(HttpContext context, string path, string body, int status, ChatFault fault) => new(
        Interlocked.Increment(ref _sequence),
        context.Request.Method,
        path + context.Request.QueryString.Value,
        NullIfEmpty(context.Request.Headers.Authorization.ToString()),
        NullIfEmpty(context.Request.Headers.UserAgent.ToString()),
        body,
        status,
        status == 429,
        fault,
        _clock.Elapsed);

    private Reply InjectedRateLimit(string path)
    {
        lock (_lock)
        {
            return TooMany(path, Faults!.RetryAfter, global: false, injected: true, MessageBucketHash);
        }
    }

    private void Record(FakeDiscordRequest request)
    {
        List<Waiter> done;
        lock (_lock)
        {
            _requests.Add(request);
            done = _waiters.Where(w => w.Match(request)).ToList();
            _waiters.RemoveAll(done.Contains);
        }

        foreach (var waiter in done)
        {
            waiter.Completion.TrySetResult(request);
        }
    }

    private Reply Route(string method, string path, string authorization, string body)
    {
        var segments = path.Split('/');
        lock (_lock)
        {
            var now = _clock.Elapsed;

            // Bot-authenticated routes.
            if (segments is ["gateway", "bot"] && method == "GET")
            {
                return Authorized(authorization) ?? Ok(new JsonObject
                {
                    ["url"] = GatewayUrl,
                    ["shards"] = Shards,
                    ["session_start_limit"] = new JsonObject
                    {
                        ["total"] = 1000, ["remaining"] = SessionStartRemaining, ["reset_after"] = 3_600_000, ["max_concurrency"] = MaxConcurrency,
                    },
                });
            }

            if (segments is ["users", "@me"] && method == "GET")
            {
                return Authorized(authorization) ?? Ok(BotUser());
            }

            if (segments is ["oauth2", "applications", "@me"] && method == "GET")
            {
                return Authorized(authorization) ?? Ok(new JsonObject
                {
                    ["id"] = ApplicationId, ["name"] = "AlertBot", ["icon"] = null, ["description"] = "", ["bot_public"] = true,
                    ["bot_require_code_grant"] = false, ["verify_key"] = "00", ["flags"] = 0,
                });
            }

            if (segments is ["channels", var getChannel] && method == "GET")
            {
                return Authorized(authorization) ?? (GoneChannels.Contains(getChannel)
                    ? Error(404, 10003, "Unknown Channel")
                    : Ok(new JsonObject
                    {
                        ["id"] = getChannel, ["type"] = 0, ["guild_id"] = FakeDiscordInteractions.GuildId, ["name"] = "alerts",
                        ["position"] = 0, ["permission_overwrites"] = new JsonArray(), ["nsfw"] = false, ["parent_id"] = null,
                    }));
            }

            if (segments is ["channels", var listChannel, "messages"] && method == "GET")
            {
                if (Authorized(authorization) is { } refused)
                {
                    return refused;
                }

                var stored = _messages.GetValueOrDefault(listChannel) ?? [];
                var page = new JsonArray();
                foreach (var m in Enumerable.Reverse(stored).Take(100))
                {
                    page.Add(MessageObject(m.Body, m.Id, listChannel));
                }

                return Ok(page);
            }

            if (segments is ["webhooks", var getHook, var getToken] && method == "GET")
            {
                return Webhooks.TryGetValue(getHook, out var known) && known == getToken
                    ? Ok(new JsonObject
                    {
                        ["id"] = getHook, ["type"] = 1, ["token"] = getToken, ["name"] = "AlertBot hook",
                        ["channel_id"] = "610000000000000009", ["guild_id"] = FakeDiscordInteractions.GuildId, ["avatar"] = null, ["application_id"] = null,
                    })
                    : Error(404, 10015, "Unknown Webhook");
            }

            if (segments is ["channels", var channelId, "messages"] && method == "POST")
            {
                return Authorized(authorization)
                    ?? Limited(path, MessageBucketHash, channelId, now)
                    ?? Injected(path)
                    ?? CreateMessage(channelId, channelId, body, enforceNonceAllowed: true);
            }

            if (segments is ["channels", var editChannel, "messages", var editId] && method == "PATCH")
            {
                return Authorized(authorization)
                    ?? Limited(path, MessageBucketHash, editChannel, now)
                    ?? Injected(path)
                    ?? EditMessage(editChannel, editChannel, editId, body);
            }

            if (segments is ["applications", _, "commands"] or ["applications", _, "guilds", _, "commands"] && method == "PUT")
            {
                return Authorized(authorization) ?? Limited(path, "cmds", segments[^2], now) ?? Injected(path) ?? Ok(JsonNode.Parse(body)!);
            }

            // Token-in-path routes.
            if (segments is ["interactions", var interactionId, var interactionToken, "callback"] && method == "POST")
            {
                return Injected(path) ?? InteractionCallback(interactionId, Uri.UnescapeDataString(interactionToken));
            }

            if (segments is ["webhooks", var appId, var originalToken, "messages", "@original"] && method == "PATCH")
            {
                return Injected(path) ?? (appId == ApplicationId && _respondedInteractions.Contains(Uri.UnescapeDataString(originalToken))
                    ? Ok(MessageObject(JsonNode.Parse(body)!, NextId(), FakeDiscordInteractions.ChannelId))
                    : Error(404, 10015, "Unknown Webhook"));
            }

            if (segments is ["webhooks", var followApp, var followToken] && followApp == ApplicationId && method == "POST")
            {
                // Create Followup Message (an interaction token, not a webhook's): stored under the interaction token.
                return Injected(path) ?? (_respondedInteractions.Contains(Uri.UnescapeDataString(followToken))
                    ? CreateMessage($"followup:{followToken}", FakeDiscordInteractions.ChannelId, body, enforceNonceAllowed: false)
                    : Error(404, 10015, "Unknown Webhook"));
            }

            if (segments is ["webhooks", var hookId, var hookToken, "messages", var hookMessage] && hookMessage != "@original" && method == "PATCH")
            {
                if (!Webhooks.TryGetValue(hookId, out var expectedToken) || expectedToken != Uri.UnescapeDataString(hookToken))
                {
                    return Error(404, 10015, "Unknown Webhook");
                }

                return Limited(path, WebhookBucketHash, $"{hookId}/{hookToken}", now)
                    ?? Injected(path)
                    ?? EditMessage($"webhook:{hookId}", hookId, hookMessage, body);
            }

            if (segments is ["webhooks", var webhookId, var token] && method == "POST")
            {
                if (!Webhooks.TryGetValue(webhookId, out var expected) || expected != token)
                {
                    return Error(404, 10015, "Unknown Webhook");
                }

                return Limited(path, WebhookBucketHash, $"{webhookId}/{token}", now)
                    ?? Injected(path)
                    ?? CreateMessage($"webhook:{webhookId}", $"{webhookId}/{token}", body, enforceNonceAllowed: false);
            }

            return Error(404, 0, "404: Not Found");
        }
    }

    /// <summary>
    /// Records an initial response to <paramref name="interaction"/> as if it had already reached Discord: what a
    /// client sees when its first callback was received but the answer to it was lost, and it tries again.
    /// </summary>
    public void AcknowledgeInteraction(JsonObject interaction)
    {
        lock (_lock)
        {
            _respondedInteractions.Add((string)interaction["token"]!);
        }
    }

    // As Discord: an interaction is known by its id and token (the ones FakeDiscordInteractions sends), and takes one
    // initial response; a second is refused with 40060.
    private Reply InteractionCallback(string interactionId, string token)
    {
        if (token != $"interaction-token-{interactionId}")
        {
            return Error(404, 10062, "Unknown interaction");
        }

        return _respondedInteractions.Add(token)
            ? new Reply(204, null, [])
            : Error(400, 40060, "Interaction has already been acknowledged.");
    }

    private Reply? Authorized(string authorization) =>
        authorization == $"Bot {BotToken}" ? null : Error(401, 0, "401: Unauthorized");

    private Reply? Injected(string path)
    {
        foreach (var (prefix, queue) in _injectedStatuses)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal) && queue.Count > 0)
            {
                var (status, body) = queue.Dequeue();
                return body is null ? Error(status, 0, $"injected {status}") : new Reply(status, body, []);
            }
        }

        return null;
    }

    /// <summary>Global window first, then the (hash, major) bucket; answers as Discord does, headers and body.</summary>
    private Reply? Limited(string path, string hash, string major, TimeSpan now)
    {
        if (now < _globalBlockedUntil)
        {
            var injected = _globalInjectPending;
            _globalInjectPending = false;
            return TooMany(path, _globalBlockedUntil - now, global: true, injected, hash);
        }

        while (_globalWindow.Count > 0 && now - _globalWindow.Peek() >= TimeSpan.FromSeconds(1))
        {
            _globalWindow.Dequeue();
        }

        if (_globalWindow.Count >= GlobalLimit)
        {
            return TooMany(path, _globalWindow.Peek() + TimeSpan.FromSeconds(1) - now, global: true, injected: false, hash);
        }

        if (_bucketBlockedUntil.TryGetValue(major, out var blockedUntil) && now < blockedUntil)
        {
            var injected = _injectPending.Remove(major);
            return TooMany(path, blockedUntil - now, global: false, injected, hash);
        }

        var key = $"{hash}|{major}";
        var (count, start) = _buckets.TryGetValue(key, out var state) && now - state.WindowStart < BucketWindow ? state : (0, now);
        var resetAfter = start + BucketWindow - now;
        if (count >= BucketLimit)
        {
            return TooMany(path, resetAfter, global: false, injected: false, hash);
        }

        _buckets[key] = (count + 1, start);
        _globalWindow.Enqueue(now);
        _pendingHeaders = new Dictionary<string, string>
        {
            ["X-RateLimit-Limit"] = BucketLimit.ToString(CultureInfo.InvariantCulture),
            ["X-RateLimit-Remaining"] = (BucketLimit - count - 1).ToString(CultureInfo.InvariantCulture),
            ["X-RateLimit-Reset"] = ResetAt(resetAfter),
            ["X-RateLimit-Reset-After"] = Seconds(resetAfter),
            ["X-RateLimit-Bucket"] = hash,
        };
        return null;
    }

    private Dictionary<string, string> _pendingHeaders = [];

    private Reply TooMany(string path, TimeSpan retryAfter, bool global, bool injected, string hash)
    {
        _rateLimits.Add(new FakeRateLimitHit(path, global, injected));
        var headers = new Dictionary<string, string>
        {
            ["Retry-After"] = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            ["X-RateLimit-Scope"] = global ? "global" : "user",
        };
        if (global)
        {
            headers["X-RateLimit-Global"] = "true";
        }
        else
        {
            headers["X-RateLimit-Limit"] = BucketLimit.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Remaining"] = "0";
            headers["X-RateLimit-Reset"] = ResetAt(retryAfter);
            headers["X-RateLimit-Reset-After"] = Seconds(retryAfter);
            headers["X-RateLimit-Bucket"] = hash;
        }

        var body = new JsonObject
        {
            ["message"] = "You are being rate limited.",
            ["retry_after"] = Math.Ceiling(retryAfter.TotalMilliseconds) / 1000.0,
            ["global"] = global,
        };
        if (global)
        {
            body["code"] = 0;
        }

        return new Reply(429, body, headers);
    }

    private Reply CreateMessage(string channelKey, string channelId, string body, bool enforceNonceAllowed)
    {
        if (GoneChannels.Contains(channelId))
        {
            return Error(404, 10003, "Unknown Channel");
        }

        if (ForbiddenChannels.Contains(channelId))
        {
            return Error(403, 50001, "Missing Access");
        }

        JsonNode json;
        try
        {
            json = JsonNode.Parse(body) ?? throw new JsonException("empty");
        }
        catch (JsonException)
        {
            return Error(400, 50109, "The request body contains invalid JSON.");
        }

        var problem = CheckLimits(json);
        if (problem is not null)
        {
            return Error(400, 50035, $"Invalid Form Body: {problem}");
        }

        if (!_messages.TryGetValue(channelKey, out var list))
        {
            _messages[channelKey] = list = [];
        }

        var nonce = json["nonce"]?.GetValue<string>();
        var enforce = enforceNonceAllowed && json["enforce_nonce"]?.GetValue<bool>() == true;
        if (nonce is { Length: > 25 })
        {
            return Error(400, 50035, "Invalid Form Body: nonce longer than 25");
        }

        var existing = enforce ? list.FirstOrDefault(m => m.Nonce == nonce) : null;
        var message = existing ?? new FakeDiscordMessage(NextId(), channelKey, nonce, json);
        if (existing is null)
        {
            list.Add(message);
        }

        if (_failAfterCreate.Remove(channelId))
        {
            return Error(500, 0, "500: Internal Server Error");
        }

        if (_dropAfterCreate.Remove(channelId))
        {
            return new Reply(200, null, []) { CutConnection = true };
        }

        return Ok(MessageObject(json, message.Id, channelId));
    }

    /// <summary>A message object as Discord returns it: the sent fields plus author, timestamps and empty lists.</summary>
    private static JsonObject MessageObject(JsonNode sent, string id, string channelId)
    {
        var result = new JsonObject
        {
            ["id"] = id,
            ["channel_id"] = channelId.Contains('/', StringComparison.Ordinal) ? "610000000000000009" : channelId,
            ["type"] = 0,
            ["author"] = BotUser(),
            ["content"] = sent["content"]?.DeepClone() ?? "",
            ["timestamp"] = "2026-12-07T06:00:00.000000+00:00",
            ["edited_timestamp"] = null,
            ["tts"] = false,
            ["mention_everyone"] = false,
            ["mentions"] = new JsonArray(),
            ["mention_roles"] = new JsonArray(),
            ["attachments"] = new JsonArray(),
            ["embeds"] = sent["embeds"]?.DeepClone() ?? new JsonArray(),
            ["components"] = sent["components"]?.DeepClone() ?? new JsonArray(),
            ["pinned"] = false,
            ["flags"] = 0,
        };
        return result;
    }

    private static JsonObject BotUser() => new()
    {
        ["id"] = ApplicationId, ["username"] = "AlertBot", ["discriminator"] = "0", ["global_name"] = null, ["avatar"] = null, ["bot"] = true,
    };

    /// <summary>Every accepted edit, in order: the message as it reads after the edit.</summary>
    public IReadOnlyList<FakeDiscordMessage> Edits
    {
        get
        {
            lock (_lock)
            {
                return [.. _edits];
            }
        }
    }

    private readonly List<FakeDiscordMessage> _edits = [];

    /// <summary>Edit Message: content and embeds given replace the message's own; an unknown message is 404 10008.</summary>
    private Reply EditMessage(string channelKey, string channelId, string messageId, string body)
    {
        if (GoneChannels.Contains(channelId))
        {
            return Error(404, 10003, "Unknown Channel");
        }

        JsonNode patch;
        try
        {
            patch = JsonNode.Parse(body) ?? throw new JsonException("empty");
        }
        catch (JsonException)
        {
            return Error(400, 50109, "The request body contains invalid JSON.");
        }

        var list = _messages.GetValueOrDefault(channelKey);
        var index = list?.FindIndex(m => m.Id == messageId) ?? -1;
        if (list is null || index < 0)
        {
            return Error(404, 10008, "Unknown Message");
        }

        var merged = list[index].Body.DeepClone().AsObject();
        foreach (var (name, value) in patch.AsObject())
        {
            merged[name] = value?.DeepClone();
        }

        if (CheckLimits(merged) is { } problem)
        {
            return Error(400, 50035, $"Invalid Form Body: {problem}");
        }

        var edited = list[index] with { Body = merged };
        list[index] = edited;
        _edits.Add(edited);
        return Ok(MessageObject(merged, messageId, channelId));
    }

    /// <summary>Discord's documented limits, so a client that overflows them sees the same 400 it would in production.</summary>
    private static string? CheckLimits(JsonNode json)
    {
        if (UnknownField(json) is { } unknown)
        {
            return $"unknown field {unknown}";
        }

        if (FakeDiscordInteractions.CheckComponents(json["components"]) is { } badComponent)
        {
            return badComponent;
        }

        if ((json["content"]?.GetValue<string>().Length ?? 0) > 2000)
        {
            return "content longer than 2000";
        }

        var total = 0;
        foreach (var embed in json["embeds"]?.AsArray() ?? [])
        {
            int Len(JsonNode? n) => n?.GetValue<string>().Length ?? 0;
            var title = Len(embed?["title"]);
            var description = Len(embed?["description"]);
            var footer = Len(embed?["footer"]?["text"]);
            if (title > 256 || description > 4096 || footer > 2048)
            {
                return "embed title/description/footer too long";
            }

            total += title + description + footer;
            foreach (var field in embed?["fields"]?.AsArray() ?? [])
            {
                if (Len(field?["name"]) > 256 || Len(field?["value"]) > 1024)
                {
                    return "embed field too long";
                }

                total += Len(field?["name"]) + Len(field?["value"]);
            }
        }

        return total > 6000 ? "embeds longer than 6000 in total" : null;
    }

    private Reply Ok(JsonNode body)
    {
        var headers = _pendingHeaders;
        _pendingHeaders = [];
        return new Reply(200, body, headers);
    }

    private string NextId() => (++_nextId).ToString(CultureInfo.InvariantCulture);

    private Reply Error(int status, int code, string message)
    {
        var headers = _pendingHeaders;
        _pendingHeaders = [];
        return new Reply(status, new JsonObject { ["message"] = message, ["code"] = code }, headers);
    }

    private static string Seconds(TimeSpan span) =>
        (Math.Ceiling(Math.Max(0, span.TotalMilliseconds)) / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    private static readonly HashSet<string> MessageFields =
    [
        "content", "nonce", "tts", "embeds", "allowed_mentions", "message_reference", "components", "sticker_ids", "attachments",
        "flags", "enforce_nonce", "poll", "username", "avatar_url", "thread_name", "applied_tags",
    ];

    private static readonly HashSet<string> EmbedFields =
        ["title", "type", "description", "url", "timestamp", "color", "footer", "image", "thumbnail", "video", "provider", "author", "fields"];

    /// <summary>Discord rejects fields it does not know (50035 Invalid Form Body); so does the fake.</summary>
    private static string? UnknownField(JsonNode json)
    {
        if (json is not JsonObject message)
        {
            return null;
        }

        foreach (var (name, value) in message)
        {
            if (!MessageFields.Contains(name) && name is not ("id" or "channel_id" or "type" or "author" or "timestamp" or "edited_timestamp"
                or "mention_everyone" or "mentions" or "mention_roles" or "pinned"))
            {
                return name;
            }
        }

        foreach (var embed in message["embeds"]?.AsArray() ?? [])
        {
            foreach (var (name, _) in embed?.AsObject() ?? [])
            {
                if (!EmbedFields.Contains(name))
                {
                    return $"embeds.{name}";
                }
            }
        }

        return null;
    }

    /// <summary>X-RateLimit-Reset: epoch seconds with milliseconds, as Discord sends it.</summary>
    private static string ResetAt(TimeSpan after) =>
        ((DateTimeOffset.UtcNow + after).ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private sealed record Reply(int Status, JsonNode? Body, Dictionary<string, string> Headers)
    {
        /// <summary>The request was carried out, but the client never hears back.</summary>
        public bool CutConnection { get; init; }
    }

    private sealed class Waiter(Func<FakeDiscordRequest, bool> match)
    {
        public Func<FakeDiscordRequest, bool> Match { get; } = match;

        public TaskCompletionSource<FakeDiscordRequest> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
