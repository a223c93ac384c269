using System.Net.Http;
using System.Net.WebSockets;
using Discord;
using Discord.Net;
using Discord.WebSocket;
using Microsoft.Extensions.Logging;

namespace AlertBot.Discord.Client;

/// <summary>
/// Discord.Net's log into ours. An expected network failure (a refused or dropped connection, which the library
/// retries) is one line naming the cause; only an unexpected exception keeps its stack trace.
/// </summary>
internal static partial class DiscordLog
{
    public static Task WriteAsync(ILogger logger, LogMessage message)
    {
        var level = message.Severity switch
        {
            LogSeverity.Critical => LogLevel.Critical,
            LogSeverity.Error => LogLevel.Error,
            LogSeverity.Warning => LogLevel.Warning,
            LogSeverity.Info => LogLevel.Information,
            LogSeverity.Verbose => LogLevel.Debug,
            _ => LogLevel.Trace,
        };
        if (!logger.IsEnabled(level))
        {
            return Task.CompletedTask;
        }

        if (message.Exception is { } ex && IsExpected(ex))
        {
            var cause = Describe(ex);
            LogOneLine(logger, level, message.Source, message.Message ?? "connection failed or lost (retrying)", cause);
        }
        else
        {
            LogMessage(logger, level, message.Source, message.Message ?? message.Exception?.Message ?? "", message.Exception);
        }

        return Task.CompletedTask;
    }

    /// <summary>The innermost message of a network failure, e.g. "Connection refused (127.0.0.1:5000)".</summary>
    public static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null && inner is not WebSocketClosedException)
        {
            inner = inner.InnerException;
        }

        return inner is WebSocketClosedException closed
            ? $"gateway closed the connection with code {closed.CloseCode}{(string.IsNullOrEmpty(closed.Reason) ? "" : $" ({closed.Reason})")}"
            : inner.Message;
    }

    private static bool IsExpected(Exception ex) => ex switch
    {
        // Discord.Net's token format check (it only warns when asked not to validate).
        ArgumentException { ParamName: "token" } => true,
        GatewayReconnectException or WebSocketClosedException or WebSocketException or HttpRequestException or TimeoutException
            or OperationCanceledException or System.IO.IOException or System.Net.Sockets.SocketException => true,
        _ => ex.InnerException is { } inner && IsExpected(inner),
    };

    [LoggerMessage(Message = "Discord {Source}: {Message}: {Cause}")]
    private static partial void LogOneLine(ILogger logger, LogLevel level, string source, string message, string cause);

    [LoggerMessage(Message = "Discord {Source}: {Message}")]
    private static partial void LogMessage(ILogger logger, LogLevel level, string source, string message, Exception? exception);
}
