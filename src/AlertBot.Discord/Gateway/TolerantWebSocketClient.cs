using Discord.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace AlertBot.Discord.Gateway;

/// <summary>
/// Discord.Net's own WebSocket client, with one difference: a frame the library cannot read (not JSON, not a gateway
/// payload) is logged and skipped instead of ending the connection, so one bad frame never costs the session.
/// </summary>
internal sealed partial class TolerantWebSocketClient : IWebSocketClient
{
    private readonly IWebSocketClient _inner;
    private readonly ILogger _logger;

    private TolerantWebSocketClient(IWebSocketClient inner, ILogger logger)
    {
        _inner = inner;
        _logger = logger;
        _inner.TextMessage += async text =>
        {
            if (TextMessage is { } handler)
            {
                await SkipMalformedAsync(() => handler(text), text.Length);
            }
        };
        _inner.BinaryMessage += async (data, index, count) =>
        {
            if (BinaryMessage is { } handler)
            {
                await SkipMalformedAsync(() => handler(data, index, count), count);
            }
        };
        _inner.Closed += async ex =>
        {
            if (Closed is { } handler)
            {
                await handler(ex);
            }
        };
    }

    public event Func<byte[], int, int, Task>? BinaryMessage;

    public event Func<string, Task>? TextMessage;

    public event Func<Exception, Task>? Closed;

    public static WebSocketProvider Provider(ILogger logger) =>
        () => new TolerantWebSocketClient(DefaultWebSocketProvider.Instance(), logger);

    public void SetHeader(string key, string value) => _inner.SetHeader(key, value);

    public void SetCancelToken(CancellationToken cancelToken) => _inner.SetCancelToken(cancelToken);

    public Task ConnectAsync(string host) => _inner.ConnectAsync(host);

    public Task DisconnectAsync(int closeCode = 1000) => _inner.DisconnectAsync(closeCode);

    public Task SendAsync(byte[] data, int index, int count, bool isText) => _inner.SendAsync(data, index, count, isText);

    public void Dispose() => _inner.Dispose();

    private async Task SkipMalformedAsync(Func<Task> handle, int length)
    {
        try
        {
            await handle();
        }
        catch (Exception ex) when (ex is Newtonsoft.Json.JsonException or FormatException or InvalidCastException or ArgumentException)
        {
            LogSkipped(length, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway frame of {Length} characters skipped: not a gateway payload ({Problem})")]
    private partial void LogSkipped(int length, string problem);
}
