using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace AlertBot.Testing.Discord;

/// <summary>
/// One client connection to the fake gateway, scripted by a test: send Hello, READY, dispatches, op 7/9, closes;
/// read what the client sent. Heartbeats are answered with ACKs automatically unless <see cref="AutoAck"/> is off.
/// </summary>
public sealed class FakeGatewayConnection : IDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Channel<JsonNode> _frames = Channel.CreateUnbounded<JsonNode>();
    private readonly Channel<JsonNode> _heartbeats = Channel.CreateUnbounded<JsonNode>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sequence;

    internal FakeGatewayConnection(WebSocket socket, string path, string query)
    {
        _socket = socket;
        Path = path;
        Query = query;
    }

    public string Path { get; }

    public string Query { get; }

    public bool AutoAck { get; set; } = true;

    public int HeartbeatCount { get; private set; }

    public int Sequence => _sequence;

    /// <summary>Completes when the connection ends, with the close code the client sent (null if it just dropped).</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public Task SendHelloAsync(int heartbeatIntervalMs) =>
        SendAsync(new JsonObject { ["op"] = 10, ["d"] = new JsonObject { ["heartbeat_interval"] = heartbeatIntervalMs } });

    public Task SendReadyAsync(string sessionId, string resumeGatewayUrl) =>
        SendDispatchAsync("READY", new JsonObject
        {
            ["v"] = 10,
            ["session_id"] = sessionId,
            ["resume_gateway_url"] = resumeGatewayUrl,
            ["user"] = new JsonObject { ["id"] = FakeDiscordServer.ApplicationId, ["username"] = "AlertBot", ["bot"] = true },
            ["guilds"] = new JsonArray(),
            ["application"] = new JsonObject { ["id"] = FakeDiscordServer.ApplicationId, ["flags"] = 0 },
        });

    public Task SendDispatchAsync(string type, JsonNode data)
    {
        var seq = Interlocked.Increment(ref _sequence);
        return SendAsync(new JsonObject { ["op"] = 0, ["t"] = type, ["s"] = seq, ["d"] = data });
    }

    /// <summary>Continues the sequence of a previous connection (a resumed session replays from there).</summary>
    public void ContinueSequenceFrom(int sequence) => _sequence = sequence;

    public Task SendAsync(JsonNode payload) => SendRawAsync(payload.ToJsonString());

    /// <summary>Sends text as it stands (malformed frames included), split over <paramref name="fragments"/> frames.</summary>
    public async Task SendRawAsync(string text, int fragments = 1)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var size = Math.Max(1, (int)Math.Ceiling(bytes.Length / (double)fragments));
        await _sendLock.WaitAsync();
        try
        {
            for (var offset = 0; offset < bytes.Length || offset == 0; offset += size)
            {
                var count = Math.Min(size, bytes.Length - offset);
                var last = offset + count >= bytes.Length;
                await _socket.SendAsync(bytes.AsMemory(offset, count), WebSocketMessageType.Text, last, CancellationToken.None);
                if (last)
                {
                    break;
                }
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next frame the client sent that is not a heartbeat; fails the test if its op differs.</summary>
    public async Task<JsonNode> ExpectAsync(int op, TimeSpan? timeout = null)
    {
        var frame = await ReadAsync(_frames, timeout);
        var actual = frame["op"]?.GetValue<int>();
        return actual == op ? frame : throw new InvalidOperationException($"Expected op {op} from the client but got: {frame.ToJsonString()}");
    }

    public Task<JsonNode> NextHeartbeatAsync(TimeSpan? timeout = null) => ReadAsync(_heartbeats, timeout);

    /// <summary>True if the client sent a frame other than a heartbeat that nobody has read yet.</summary>
    public bool HasUnreadFrame => _frames.Reader.TryPeek(out _);

    public async Task CloseAsync(int code, string reason = "")
    {
        await _sendLock.WaitAsync();
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            // The client went first.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public void Dispose() => _sendLock.Dispose();

    internal async Task RunAsync(CancellationToken aborted)
    {
        var buffer = new byte[8192];
        var message = new MemoryStream();
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, aborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult(result.CloseStatus);
                    await CloseAsync((int)(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure));
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var node = JsonNode.Parse(message.ToArray()) ?? new JsonObject();
                message.SetLength(0);
                if (node["op"]?.GetValue<int>() == 1)
                {
                    HeartbeatCount++;
                    await _heartbeats.Writer.WriteAsync(node, aborted);
                    if (AutoAck)
                    {
                        await SendAsync(new JsonObject { ["op"] = 11 });
                    }
                }
                else
                {
                    await _frames.Writer.WriteAsync(node, aborted);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or JsonException)
        {
            // The client dropped the connection (or sent something that is not JSON, which ends it here too).
        }
        finally
        {
            _closed.TrySetResult(null);
            _frames.Writer.TryComplete();
            _heartbeats.Writer.TryComplete();
        }
    }

    private static async Task<JsonNode> ReadAsync(Channel<JsonNode> channel, TimeSpan? timeout)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultWait);
        try
        {
            return await channel.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The client sent nothing in time.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The client closed the connection instead.");
        }
    }
}
