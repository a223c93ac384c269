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

    /// <summary>
    /// READY as Discord sends it to a bot (user, session, resume URL, shard, its guilds marked unavailable), then, as
    /// Discord does, a GUILD_CREATE for each guild: by default the one test guild, so READY is sequence 1 and the
    /// guild 2.
    /// </summary>
    public async Task SendReadyAsync(string sessionId, string resumeGatewayUrl, JsonArray? shard = null, IReadOnlyList<string>? guildIds = null)
    {
        guildIds ??= [FakeDiscordInteractions.GuildId];
        var guilds = new JsonArray();
        foreach (var id in guildIds)
        {
            guilds.Add(new JsonObject { ["id"] = id, ["unavailable"] = true });
        }

        var ready = new JsonObject
        {
            ["v"] = 10,
            ["session_id"] = sessionId,
            ["session_type"] = "normal",
            ["resume_gateway_url"] = resumeGatewayUrl,
            ["user"] = new JsonObject
            {
                ["id"] = FakeDiscordServer.ApplicationId, ["username"] = "AlertBot", ["discriminator"] = "0", ["global_name"] = null,
                ["avatar"] = null, ["bot"] = true, ["verified"] = true, ["flags"] = 0, ["mfa_enabled"] = false,
            },
            ["guilds"] = guilds,
            ["private_channels"] = new JsonArray(),
            ["relationships"] = new JsonArray(),
            ["presences"] = new JsonArray(),
            ["guild_join_requests"] = new JsonArray(),
            ["geo_ordered_rtc_regions"] = new JsonArray("us-east"),
            ["application"] = new JsonObject { ["id"] = FakeDiscordServer.ApplicationId, ["flags"] = 0 },
        };
        if (shard is not null)
        {
            ready["shard"] = shard;
        }

        await SendDispatchAsync("READY", ready);
        foreach (var id in guildIds)
        {
            await SendGuildCreateAsync(id, id == FakeDiscordInteractions.GuildId ? FakeDiscordInteractions.ChannelId : ChannelOf(id));
        }
    }

    /// <summary>The text channel of a test guild other than the default one: the guild id with its last digit 9.</summary>
    public static string ChannelOf(string guildId) => guildId[..^1] + "9";

    /// <summary>GUILD_CREATE for a test guild: roles that grant nothing, Manage Channels or Administrator, and one text channel.</summary>
    public Task SendGuildCreateAsync(string guildId = FakeDiscordInteractions.GuildId, string channelId = FakeDiscordInteractions.ChannelId) =>
        SendDispatchAsync("GUILD_CREATE", FakeDiscordInteractions.Guild(guildId, channelId));

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
