using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using AlertBot.Discord.Configuration;
using AlertBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord.Gateway;

/// <summary>
/// Gateway v10 over one ClientWebSocket at a time: Hello, heartbeats with first-beat jitter and zombie detection,
/// Identify (GUILDS intent only) or Resume, dispatches handed off to <see cref="GatewayEventQueue"/>, and a reconnect
/// loop that resumes where it can, starts a new session where it must, and stops on the fatal close codes.
/// </summary>
internal sealed partial class DiscordGatewayClient : IDisposable
{
    /// <summary>GUILDS (1 &lt;&lt; 0): enough for slash commands; INTERACTION_CREATE needs no intent.</summary>
    internal const int Intents = 1;

    private const int MaxPayloadBytes = 4096;

    private static readonly string OsName =
        OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : OperatingSystem.IsLinux() ? "linux" : "unknown";
    private const int MaxInboundMessageBytes = 16 * 1024 * 1024;

    private readonly DiscordRestClient _rest;
    private readonly DiscordOptions _options;
    private readonly GatewayTimings _timings;
    private readonly GatewayEventQueue _events;
    private readonly TimeProvider _time;
    private readonly ILogger<DiscordGatewayClient> _logger;
    private readonly WindowLimiter _sendLimiter;
    private WindowLimiter? _identifyLimiter;

    private string? _sessionId;
    private string? _resumeUrl;
    private long _lastSequence = -1;

    public DiscordGatewayClient(
        DiscordRestClient rest,
        IOptions<DiscordOptions> options,
        GatewayTimings timings,
        GatewayEventQueue events,
        TimeProvider time,
        ILogger<DiscordGatewayClient> logger)
    {
        _rest = rest;
        _options = options.Value;
        _timings = timings;
        _events = events;
        _time = time;
        _logger = logger;
        _sendLimiter = new WindowLimiter(timings.SendsPerWindow, timings.SendWindow, time);
    }

    /// <summary>The last dispatch's <c>s</c>: written by the receive loop, read by the heartbeat loop.</summary>
    private long? Sequence
    {
        get
        {
            var value = Volatile.Read(ref _lastSequence);
            return value < 0 ? null : value;
        }

        set => Volatile.Write(ref _lastSequence, value ?? -1);
    }

    private volatile bool _sessionLive;

    /// <summary>True from READY or RESUMED until that connection ends: interactions can reach this bot.</summary>
    public bool SessionLive => _sessionLive;

    /// <summary>Set from READY; the dispatcher needs it to register commands.</summary>
    public string? ApplicationId { get; private set; }

    public void Dispose()
    {
        _sendLimiter.Dispose();
        _identifyLimiter?.Dispose();
    }

    /// <summary>Runs until cancelled or until Discord closes with a code that forbids reconnecting.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            ConnectionEnd end;
            try
            {
                end = await ConnectOnceAsync(cancellationToken);
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Whatever went wrong, the loop lives on: a gateway that stops silently is worse than one that retries.
                LogConnectionFailed(ex.GetType().Name, ex);
                end = new ConnectionEnd(GatewayNext.Resume, Healthy: false, "connection failed");
            }

            if (end.Next == GatewayNext.Fatal)
            {
                LogFatal(end.Reason);
                return;
            }

            if (end.Next == GatewayNext.NewSession)
            {
                _sessionId = null;
                _resumeUrl = null;
                Sequence = null;
            }

            // A drop after a good session starts the backoff again at its base; failures in a row double it.
            failures = end.Healthy ? 1 : failures + 1;
            var delay = end.Delay ?? Backoff(failures);
            LogReconnecting(end.Reason, end.Next == GatewayNext.Resume && _sessionId is not null ? "resume" : "identify", delay.TotalMilliseconds);
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The base, doubling per failure in a row, capped, with ±25% jitter.</summary>
    private TimeSpan Backoff(int failures)
    {
        var exponential = _timings.BackoffBase.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = Math.Min(exponential, _timings.BackoffCap.TotalMilliseconds);
        var jitter = capped * 0.25 * ((Random.Shared.NextDouble() * 2) - 1);
        return TimeSpan.FromMilliseconds(Math.Min(capped + jitter, _timings.BackoffCap.TotalMilliseconds));
    }

    private async Task<ConnectionEnd> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        var resuming = _sessionId is not null && _resumeUrl is not null;
        string baseUrl;
        if (resuming)
        {
            baseUrl = _resumeUrl!;
        }
        else
        {
            var (url, end) = await PrepareIdentifyAsync(cancellationToken);
            if (end is { } stop)
            {
                return stop;
            }

            baseUrl = url!;
        }

        using var socket = new ClientWebSocket();
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectTimeout.CancelAfter(_timings.ConnectTimeout);
            await socket.ConnectAsync(WithQuery(baseUrl), connectTimeout.Token);
        }

        using var connection = new Connection(this, socket, cancellationToken);
        try
        {
            return await connection.RunAsync(resuming);
        }
        finally
        {
            _sessionLive = false;
        }
    }

    /// <summary>Finds the gateway URL and waits until Discord's identify limits allow a new session.</summary>
    private async Task<(string? Url, ConnectionEnd? End)> PrepareIdentifyAsync(CancellationToken cancellationToken)
    {
        var url = _options.GatewayUrl;
        var maxConcurrency = 1;
        if (url is null || _identifyLimiter is null)
        {
            var response = await _rest.SendAsync(DiscordRoute.GetGatewayBot(), null, cancellationToken);
            if (response.Outcome == DiscordOutcome.Unauthorized)
            {
                return (null, new ConnectionEnd(GatewayNext.Fatal, false, "GET /gateway/bot: the bot token was rejected (401)"));
            }

            if (!response.IsSuccess)
            {
                return (null, new ConnectionEnd(GatewayNext.NewSession, false, $"GET /gateway/bot: {response.Reason}", response.RetryAfter));
            }

            using var doc = JsonDocument.Parse(response.Body!);
            var root = doc.RootElement;
            url ??= root.TryGetProperty("url", out var u) ? u.GetString() : null;
            if (root.TryGetProperty("session_start_limit", out var limit))
            {
                maxConcurrency = limit.TryGetProperty("max_concurrency", out var mc) && mc.TryGetInt32(out var m) && m > 0 ? m : 1;
                if (limit.TryGetProperty("remaining", out var remaining) && remaining.TryGetInt32(out var left) && left <= 0)
                {
                    var resetMs = limit.TryGetProperty("reset_after", out var ra) && ra.TryGetDouble(out var ms) ? ms : 60_000;
                    var wait = TimeSpan.FromMilliseconds(Math.Clamp(resetMs, 1_000, 86_400_000));
                    return (null, new ConnectionEnd(GatewayNext.NewSession, false, "no session starts left today (session_start_limit)", wait));
                }
            }

            if (url is null)
            {
                return (null, new ConnectionEnd(GatewayNext.NewSession, false, "GET /gateway/bot returned no url"));
            }
        }

        _identifyLimiter ??= new WindowLimiter(maxConcurrency, _timings.IdentifyWindow, _time);
        return (url, null);
    }

    private static Uri WithQuery(string url)
    {
        var builder = new UriBuilder(url) { Query = "v=10&encoding=json" };
        return builder.Uri;
    }

    private readonly record struct ConnectionEnd(GatewayNext Next, bool Healthy, string Reason, TimeSpan? Delay = null);

    /// <summary>One WebSocket's life: its receive loop, heartbeat loop and serialised sends.</summary>
    private sealed class Connection : IDisposable
    {
        // Gateway payloads are written as declared (snake_case names in anonymous types) and keep nulls: d:null matters.
        private static readonly JsonSerializerOptions PayloadJson = new();

        private readonly DiscordGatewayClient _owner;
        private readonly ClientWebSocket _socket;
        private readonly CancellationToken _outer;
        private readonly CancellationTokenSource _stop = new();
        private readonly CancellationTokenRegistration _shutdownRegistration;
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly Lock _endLock = new();
        private volatile bool _ackReceived = true;
        private ConnectionEnd? _endedBy;
        private bool _healthy;

        public Connection(DiscordGatewayClient owner, ClientWebSocket socket, CancellationToken cancellationToken)
        {
            _owner = owner;
            _socket = socket;
            _outer = cancellationToken;

            // Not linked: a cancelled receive aborts the socket, and on shutdown we want to say goodbye first.
            _shutdownRegistration = cancellationToken.Register(static state => _ = ((Connection)state!).ShutdownAsync(), this);
        }

        private ConnectionEnd? Ended
        {
            get
            {
                lock (_endLock)
                {
                    return _endedBy;
                }
            }
        }

        public void Dispose()
        {
            _shutdownRegistration.Dispose();
            _stop.Dispose();
            _sendLock.Dispose();
        }

        public async Task<ConnectionEnd> RunAsync(bool resuming)
        {
            Task? heartbeat = null;
            try
            {
                TimeSpan? interval;
                using (var helloTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    helloTimeout.CancelAfter(_owner._timings.HelloTimeout);
                    interval = await ReceiveHelloAsync(helloTimeout.Token);
                }

                if (interval is null)
                {
                    var code = (int?)_socket.CloseStatus;
                    return new ConnectionEnd(GatewayCloseCodes.Classify(code), false, $"gateway closed before Hello: {GatewayCloseCodes.Describe(code)}");
                }

                heartbeat = HeartbeatAsync(interval.Value);
                if (resuming)
                {
                    await SendAsync(new { op = GatewayOp.Resume, d = new { token = _owner._options.BotToken, session_id = _owner._sessionId, seq = _owner.Sequence } }, limited: true);
                }
                else
                {
                    // Held until the Identify is sent: the permit returns one identify window later.
                    using var permit = await _owner._identifyLimiter!.AcquireAsync(_stop.Token);
                    await SendAsync(
                        new
                        {
                            op = GatewayOp.Identify,
                            d = new
                            {
                                token = _owner._options.BotToken,
                                intents = Intents,
                                properties = new { os = OsName, browser = "AlertBot", device = "AlertBot" },
                            },
                        },
                        limited: true);
                }

                while (true)
                {
                    var message = await ReceiveMessageAsync(_stop.Token);
                    if (message is null)
                    {
                        var code = (int?)_socket.CloseStatus;
                        return Ended ?? new ConnectionEnd(GatewayCloseCodes.Classify(code), _healthy, $"gateway closed: {GatewayCloseCodes.Describe(code)}");
                    }

                    try
                    {
                        await HandleAsync(message);
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or JsonException or FormatException or KeyNotFoundException)
                    {
                        // A payload shaped unlike the docs: skip it; the connection and the session are fine.
                        _owner.LogHandlingFailed(ex);
                    }

                    if (Ended is { } ended)
                    {
                        return ended;
                    }
                }
            }
            catch (OperationCanceledException) when (_outer.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                if (Ended is { } ended)
                {
                    return ended;
                }

                return ex is OperationCanceledException
                    ? new ConnectionEnd(GatewayNext.Resume, false, "no Hello from the gateway in time")
                    : new ConnectionEnd(GatewayNext.Resume, _healthy, $"connection dropped ({(ex as WebSocketException)?.WebSocketErrorCode.ToString() ?? ex.GetType().Name})");
            }
            finally
            {
                await _stop.CancelAsync();
                if (heartbeat is not null)
                {
                    await heartbeat;
                }
            }
        }

        private async Task<TimeSpan?> ReceiveHelloAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var message = await ReceiveMessageAsync(cancellationToken);
                if (message is null)
                {
                    return null;
                }

                if (TryParse(message, out var doc))
                {
                    using (doc)
                    {
                        var root = doc.RootElement;
                        if (Op(root) == GatewayOp.Hello
                            && root.TryGetProperty("d", out var d) && d.ValueKind == JsonValueKind.Object
                            && d.TryGetProperty("heartbeat_interval", out var hi) && hi.TryGetDouble(out var ms) && ms > 0)
                        {
                            return TimeSpan.FromMilliseconds(ms);
                        }

                        var op = Op(root);
                        _owner.LogSkippedBeforeHello(op);
                    }
                }
            }
        }

        private async Task HandleAsync(string message)
        {
            if (!TryParse(message, out var doc))
            {
                return;
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.TryGetProperty("s", out var s) && s.TryGetInt64(out var sequence))
                {
                    _owner.Sequence = sequence;
                }

                switch (Op(root))
                {
                    case GatewayOp.Dispatch:
                        HandleDispatch(root);
                        break;
                    case GatewayOp.Heartbeat:
                        await SendHeartbeatAsync();
                        break;
                    case GatewayOp.HeartbeatAck:
                        _ackReceived = true;
                        break;
                    case GatewayOp.Reconnect:
                        await EndAsync(new ConnectionEnd(GatewayNext.Resume, true, "Discord asked us to reconnect (op 7)", TimeSpan.Zero));
                        break;
                    case GatewayOp.InvalidSession:
                        var resumable = root.TryGetProperty("d", out var d) && d.ValueKind == JsonValueKind.True;
                        var timings = _owner._timings;
                        var wait = timings.InvalidSessionMinDelay
                            + ((timings.InvalidSessionMaxDelay - timings.InvalidSessionMinDelay) * Random.Shared.NextDouble());
                        await EndAsync(resumable
                            ? new ConnectionEnd(GatewayNext.Resume, true, "invalid session, resumable (op 9 d:true)", TimeSpan.Zero)
                            : new ConnectionEnd(GatewayNext.NewSession, true, "invalid session (op 9 d:false)", wait));
                        break;
                    case GatewayOp.Hello:
                        break;
                    case var other:
                        _owner.LogUnknownOp(other);
                        break;
                }
            }
        }

        private void HandleDispatch(JsonElement root)
        {
            var type = root.TryGetProperty("t", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (!root.TryGetProperty("d", out var d) || d.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            switch (type)
            {
                case "READY":
                    _owner._sessionId = Str(d, "session_id");
                    _owner._resumeUrl = Str(d, "resume_gateway_url");
                    if (d.TryGetProperty("application", out var app) && app.ValueKind == JsonValueKind.Object)
                    {
                        _owner.ApplicationId = Str(app, "id") ?? _owner.ApplicationId;
                    }

                    _healthy = true;
                    _owner._sessionLive = true;
                    _owner.LogReady(_owner.ApplicationId);
                    _owner.Enqueue(new GatewayReady(_owner.ApplicationId));
                    break;
                case "RESUMED":
                    _healthy = true;
                    _owner._sessionLive = true;
                    _owner.LogResumed(_owner.Sequence);
                    break;
                case "INTERACTION_CREATE":
                    _owner.Enqueue(new InteractionReceived(d.Clone()));
                    break;
            }
        }

        private async Task HeartbeatAsync(TimeSpan interval)
        {
            try
            {
                // The first beat is jittered so that many clients reconnecting at once do not beat in step.
                await Task.Delay(interval * Random.Shared.NextDouble(), _owner._time, _stop.Token);
                while (!_stop.IsCancellationRequested)
                {
                    if (!_ackReceived)
                    {
                        await EndAsync(new ConnectionEnd(GatewayNext.Resume, _healthy, "no heartbeat ACK since the last beat (zombie connection)", TimeSpan.Zero));
                        return;
                    }

                    _ackReceived = false;
                    await SendHeartbeatAsync();
                    await Task.Delay(interval, _owner._time, _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // The connection is ending; the receive loop reports why.
            }
        }

        private Task SendHeartbeatAsync() => SendAsync(new { op = GatewayOp.Heartbeat, d = _owner.Sequence }, limited: false);

        /// <summary>Closes with a non-1000 code (the session stays resumable) and stops the receive loop.</summary>
        private async Task EndAsync(ConnectionEnd end)
        {
            lock (_endLock)
            {
                _endedBy ??= end;
            }

            try
            {
                using var timeout = new CancellationTokenSource(_owner._timings.CloseTimeout);
                await _sendLock.WaitAsync(timeout.Token);
                try
                {
                    if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync((WebSocketCloseStatus)GatewayCloseCodes.ResumeLater, "reconnecting", timeout.Token);
                    }
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // Closing politely failed; cancelling below drops the socket anyway.
            }

            await _stop.CancelAsync();
        }

        /// <summary>
        /// Closes with 1000, which ends the session so Discord shows the bot offline at once; the receive loop then
        /// sees the server's close. If the server stays silent, the connection is dropped after the close timeout.
        /// </summary>
        private async Task ShutdownAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(_owner._timings.CloseTimeout);
                await _sendLock.WaitAsync(timeout.Token);
                try
                {
                    if (_socket.State == WebSocketState.Open)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "shutting down", timeout.Token);
                    }
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // The socket was already gone; nothing more to say to Discord.
            }

            try
            {
                _stop.CancelAfter(_owner._timings.CloseTimeout);
            }
            catch (ObjectDisposedException)
            {
                // The connection finished while we were closing it.
            }
        }

        private async Task SendAsync(object payload, bool limited)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(payload, PayloadJson);
            if (bytes.Length > MaxPayloadBytes)
            {
                // Sending it would close the connection with 4002.
                _owner.LogPayloadTooLarge(bytes.Length);
                return;
            }

            using var permit = limited ? await _owner._sendLimiter.AcquireAsync(_stop.Token) : null;
            await _sendLock.WaitAsync(_stop.Token);
            try
            {
                await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        /// <summary>One whole message, however many frames it came in; null when the server closed.</summary>
        private async Task<string?> ReceiveMessageAsync(CancellationToken cancellationToken)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                var message = new ArrayBufferWriter<byte>(16 * 1024);
                var tooLarge = false;
                while (true)
                {
                    var result = await _socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return null;
                    }

                    if (!tooLarge && message.WrittenCount + result.Count <= MaxInboundMessageBytes)
                    {
                        message.Write(buffer.AsSpan(0, result.Count));
                    }
                    else
                    {
                        tooLarge = true;
                    }

                    if (!result.EndOfMessage)
                    {
                        continue;
                    }

                    if (tooLarge || result.MessageType != WebSocketMessageType.Text)
                    {
                        _owner.LogSkippedFrame(tooLarge ? "too large" : "binary");
                        message.Clear();
                        tooLarge = false;
                        continue;
                    }

                    return System.Text.Encoding.UTF8.GetString(message.WrittenSpan);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private bool TryParse(string message, out JsonDocument doc)
        {
            try
            {
                doc = JsonDocument.Parse(message);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && Op(doc.RootElement) is not null)
                {
                    return true;
                }

                doc.Dispose();
            }
            catch (JsonException)
            {
                // Logged below with the others.
            }

            _owner.LogMalformed(message.Length);
            doc = null!;
            return false;
        }

        private static int? Op(JsonElement root) =>
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty("op", out var op) && op.TryGetInt32(out var value) ? value : null;

        private static string? Str(JsonElement element, string name) => DiscordJson.String(element, name);
    }

    private void Enqueue(GatewayEvent item)
    {
        if (!_events.TryWrite(item))
        {
            LogEventDropped(item.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord gateway READY (application {ApplicationId})")]
    private partial void LogReady(string? applicationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord gateway session resumed at seq {Sequence}")]
    private partial void LogResumed(long? sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord gateway: {Reason}; will {Action} in {DelayMs:0} ms")]
    private partial void LogReconnecting(string reason, string action, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway connection failed ({ErrorType})")]
    private partial void LogConnectionFailed(string errorType, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Discord gateway stopped for good: {Reason}. Not reconnecting; fix the configuration and restart.")]
    private partial void LogFatal(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway payload could not be handled; skipped")]
    private partial void LogHandlingFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway sent a malformed payload ({Length} chars); skipped")]
    private partial void LogMalformed(int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway sent a {Kind} message; skipped")]
    private partial void LogSkippedFrame(string kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Discord gateway op {Op} is not one we know; skipped")]
    private partial void LogUnknownOp(int? op);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Discord gateway op {Op} arrived before Hello; skipped")]
    private partial void LogSkippedBeforeHello(int? op);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord gateway payload of {Bytes} bytes is over the 4096-byte limit; not sent")]
    private partial void LogPayloadTooLarge(int bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord gateway event queue is full; {EventType} dropped")]
    private partial void LogEventDropped(string eventType);
}
