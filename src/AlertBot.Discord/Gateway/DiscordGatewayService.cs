using System.Net;
using System.Threading.Channels;
using AlertBot.Core.Diagnostics;
using AlertBot.Core.Persistence;
using AlertBot.Core.Resilience;
using AlertBot.Discord.Client;
using AlertBot.Discord.Configuration;
using AlertBot.Discord.Interactions;
using Discord;
using Discord.Net;
using Discord.WebSocket;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace AlertBot.Discord.Gateway;

/// <summary>
/// Runs Discord.Net's <see cref="DiscordShardedClient"/> (one shard, or as many as Discord recommends) and, beside it,
/// the consumer that answers slash commands. Gateway events are only queued here, so a slow command never stalls a
/// shard's heartbeat. With several instances the connection runs under the <see cref="LeaseName"/> lease, so one
/// bot session answers each interaction once; the others stand by and take over when the holder stops or dies.
/// </summary>
internal sealed partial class DiscordGatewayService : BackgroundService
{
    /// <summary>The lease whose holder keeps the gateway session.</summary>
    public const string LeaseName = "discord:gateway";

    /// <summary>Close codes after which reconnecting cannot help (bad token, bad shard, bad intents).</summary>
    private static readonly int[] FatalCloseCodes = [4004, 4010, 4011, 4012, 4013, 4014];

    private readonly DiscordConnection _connection;
    private readonly InteractionDispatcher _dispatcher;
    private readonly DiscordGatewayStatus _status;
    private readonly DiscordOptions _options;
    private readonly LeasedWorkRunner _leased;
    private readonly TimeProvider _time;
    private readonly ILogger<DiscordGatewayService> _logger;
    private readonly ResiliencePipeline _reconnect;

    public DiscordGatewayService(
        DiscordConnection connection,
        InteractionDispatcher dispatcher,
        DiscordGatewayStatus status,
        IOptions<DiscordOptions> options,
        LeasedWorkRunner leased,
        TimeProvider time,
        ILogger<DiscordGatewayService> logger)
    {
        _connection = connection;
        _dispatcher = dispatcher;
        _status = status;
        _options = options.Value;
        _leased = leased;
        _time = time;
        _logger = logger;

        // Discord (or the network) is down: one line, then try again, backing off to a minute.
        _reconnect = ReconnectDelay.RetryForever(
            time,
            shouldRetry: ex => ex is not OutOfMemoryException,
            onRetry: (ex, delay) =>
            {
                LogConnectFailed(DiscordLog.Describe(ex), delay);
                return ValueTask.CompletedTask;
            });
    }

    /// <summary>The wait between failed connects: 1 s doubling to a minute.</summary>
    private static RetryDelay ReconnectDelay { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            Task.Run(() => RunGatewayAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => _dispatcher.RunAsync(stoppingToken), CancellationToken.None));

    // One instance keeps the gateway session (with several sharing a database, whoever holds the lease).
    private Task RunGatewayAsync(CancellationToken stoppingToken) =>
        _leased.RunAsync(LeaseName, RunSessionAsync, _status.Lease, _logger, stoppingToken);

    /// <summary>Connects every shard and keeps them until <paramref name="stoppingToken"/>; returns early only when Discord refused us for good.</summary>
    private async Task RunSessionAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _reconnect.ExecuteAsync(async token => await RunClientAsync(token), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped while waiting to reconnect.
        }
    }

    private async Task RunClientAsync(CancellationToken stoppingToken)
    {
        var fatal = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await WaitForSessionStartsAsync(stoppingToken);
        var client = new DiscordShardedClient(_connection.SocketConfig(_logger));
        var announced = 0;
        client.Log += message => DiscordLog.WriteAsync(_logger, message);
        client.ShardReady += shard =>
        {
            if (Interlocked.Exchange(ref announced, 1) == 0)
            {
                LogConnected(shard.CurrentUser?.Username ?? "the bot");
            }

            _dispatcher.Enqueue(new CommandsToRegister(client));
            return Task.CompletedTask;
        };
        client.ShardDisconnected += (exception, _) =>
        {
            if (CloseCode(exception) is { } code && FatalCloseCodes.Contains(code))
            {
                fatal.TrySetResult(code);
            }

            return Task.CompletedTask;
        };
        client.SlashCommandExecuted += command =>
        {
            // Hand off and return: the shard's receive loop waits for this handler.
            _dispatcher.Enqueue(new CommandReceived(command));
            return Task.CompletedTask;
        };
        client.ButtonExecuted += component =>
        {
            _dispatcher.Enqueue(new ButtonPressed(component));
            return Task.CompletedTask;
        };

        _status.Client = client;
        int? fatalCode = null;
        try
        {
            await client.LoginAsync(TokenType.Bot, _options.BotToken, validateToken: false);
            await client.StartAsync();
            var stopped = Task.Delay(Timeout.Infinite, stoppingToken);
            if (await Task.WhenAny(fatal.Task, stopped) == fatal.Task)
            {
                fatalCode = await fatal.Task;
            }
        }
        catch (HttpException ex) when (ex.HttpCode == HttpStatusCode.Unauthorized)
        {
            fatalCode = 4004;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            _status.Client = null;
            await StopQuietlyAsync(client);
        }

        // Stopped first, so no reconnect can be under way once this is logged.
        if (fatalCode is { } code)
        {
            if (code == 4004)
            {
                _status.Unauthorized = true;
                _connection.MarkTokenRefused();
            }

            LogFatalClose(code, code switch
            {
                4004 => "the bot token was refused: set AlertBot:Discord:BotToken (or DISCORD_BOT_TOKEN) to the token from the Developer Portal",
                4013 or 4014 => "the intents are invalid or not enabled for this bot in the Developer Portal",
                _ => "the shard settings were refused",
            });
        }
    }

    /// <summary>
    /// Discord allows so many identifies a day (session_start_limit); with none left, connecting would only draw a
    /// 4004-like refusal, so wait for the reset Discord names.
    /// </summary>
    private async Task WaitForSessionStartsAsync(CancellationToken stoppingToken)
    {
        var rest = await _connection.RestAsync(stoppingToken);
        if (rest is null)
        {
            return;
        }

        var gateway = await rest.GetBotGatewayAsync(new RequestOptions { CancelToken = stoppingToken, RetryMode = RetryMode.RetryRatelimit | RetryMode.Retry502 });
        if (gateway.SessionStartLimit is { Remaining: <= 0 } limit)
        {
            var wait = TimeSpan.FromMilliseconds(Math.Max(limit.ResetAfter, 1000));
            LogNoSessionStarts(wait);
            await Task.Delay(wait, _time, stoppingToken);
        }
    }

    private async Task StopQuietlyAsync(DiscordShardedClient client)
    {
        try
        {
            await client.StopAsync();
            await client.LogoutAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var cause = DiscordLog.Describe(ex);
            LogStopFailed(cause);
        }
        finally
        {
            await client.DisposeAsync();
        }
    }

    private static int? CloseCode(Exception? exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is WebSocketClosedException closed)
            {
                return closed.CloseCode;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord: connected as {Name}. Use /subscribe in a channel to start alerts.")]
    private partial void LogConnected(string name);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Discord gateway closed with {Code}: {Cause}; the gateway has stopped for good (until AlertBot restarts)")]
    private partial void LogFatalClose(int code, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not connect to Discord: {Cause}; trying again in {Delay}")]
    private partial void LogConnectFailed(string cause, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord's session_start_limit is used up for today; connecting to the gateway in {Wait}")]
    private partial void LogNoSessionStarts(TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Discord gateway did not stop cleanly: {Cause}")]
    private partial void LogStopFailed(string cause);
}

/// <summary>This instance's standing with the gateway: the lease, the live client, a refused token.</summary>
public sealed class DiscordGatewayStatus
{
    public LeaseState Lease { get; } = new();

    internal DiscordShardedClient? Client { get; set; }

    /// <summary>Discord refused the token (401 on login, close 4004 on the gateway).</summary>
    public bool Unauthorized { get; internal set; }

    /// <summary>Every shard has a live session.</summary>
    public bool SessionLive =>
        Client is { Shards.Count: > 0 } client && client.Shards.All(s => s.ConnectionState == ConnectionState.Connected);
}

/// <summary>Ready when the gateway session is live or another instance holds it; says why not otherwise.</summary>
internal sealed class DiscordReadinessProbe(DiscordGatewayStatus status, DiscordConnection connection) : IReadinessProbe
{
    public string Name => "discord-gateway";

    public Task<Readiness> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(
        status.Unauthorized || connection.TokenRefused ? new Readiness(false, "unauthorized: the token was refused")
        : status.SessionLive ? new Readiness(true, "connected: session ready")
        : status.Lease.Role == LeaseRole.Standby ? new Readiness(true, "standby: another instance holds the gateway lease")
        : status.Lease.Role == LeaseRole.Unavailable ? new Readiness(false, "cannot reach the database to ask for the gateway lease")
        : new Readiness(false, "not connected to the gateway"));
}
