using System.Net;
using AlertBot.Discord.Configuration;
using Discord;
using Discord.Net;
using Discord.Net.Rest;
using Discord.Rest;
using Discord.WebSocket;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord.Client;

/// <summary>
/// Discord.Net's configuration as AlertBot uses it, in one place: REST pointed at <see cref="DiscordOptions.ApiBaseUrl"/>
/// (tests point it at a loopback fake), the gateway host, and no retry of a timed-out request by the library itself.
/// It also owns the bot's REST client (alerts, command registration), logged in once on first use.
/// </summary>
internal sealed partial class DiscordConnection : IDisposable
{
    private readonly DiscordOptions _options;
    private readonly ILogger<DiscordConnection> _logger;
    private readonly SemaphoreSlim _loginLock = new(1, 1);
    private DiscordRestClient? _rest;
    private int _tokenRefusedLogged;

    public DiscordConnection(IOptions<DiscordOptions> options, ILogger<DiscordConnection> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Set once Discord refused the bot token (401 on REST, close 4004 on the gateway).</summary>
    public bool TokenRefused { get; private set; }

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(_options.RequestTimeoutSeconds);

    /// <summary>
    /// The REST settings for every Discord.Net client here. Retries are ours (the outbox's): a timed-out create may
    /// have posted, and a 429's wait belongs to the outbox, where shutdown and channel order can see it.
    /// </summary>
    public DiscordRestConfig RestConfig() => Apply(new DiscordRestConfig());

    public DiscordSocketConfig SocketConfig(ILogger gatewayLogger)
    {
        var config = Apply(new DiscordSocketConfig
        {
            // Slash commands need only the guilds intent (guild and channel cache for permission checks).
            GatewayIntents = GatewayIntents.Guilds,
            LogGatewayIntentWarnings = false,
            AlwaysDownloadDefaultStickers = false,
            AlwaysResolveStickers = false,
            MessageCacheSize = 0,
            WebSocketProvider = Gateway.TolerantWebSocketClient.Provider(gatewayLogger),
        });
        config.DefaultRetryMode = RetryMode.RetryRatelimit | RetryMode.Retry502;
        if (_options.GatewayUrl is { } gateway)
        {
            config.GatewayHost = gateway;
        }

        return config;
    }

    private T Apply<T>(T config)
        where T : DiscordRestConfig
    {
        var baseUrl = _options.ApiBaseUrl.TrimEnd('/') + "/";
        var provider = DefaultRestClientProvider.Create();
        config.RestClientProvider = _ => provider(baseUrl);
        config.DefaultRetryMode = RetryMode.AlwaysFail;
        config.UseSystemClock = false;
        config.LogLevel = LogSeverity.Info;
        return config;
    }

    /// <summary>The logged-in REST client, or null when the token was refused (logged once, at critical).</summary>
    public async Task<DiscordRestClient?> RestAsync(CancellationToken cancellationToken)
    {
        if (_rest is { } ready)
        {
            return ready;
        }

        if (TokenRefused)
        {
            return null;
        }

        await _loginLock.WaitAsync(cancellationToken);
        try
        {
            if (_rest is null && !TokenRefused)
            {
                var client = new DiscordRestClient(RestConfig());
                client.Log += message => DiscordLog.WriteAsync(_logger, message);
                try
                {
                    await client.LoginAsync(TokenType.Bot, _options.BotToken, validateToken: false);
                    _rest = client;
                }
                catch (HttpException ex) when (ex.HttpCode == HttpStatusCode.Unauthorized)
                {
                    client.Dispose();
                    MarkTokenRefused();
                }
                catch
                {
                    client.Dispose();
                    throw;
                }
            }

            return _rest;
        }
        finally
        {
            _loginLock.Release();
        }
    }

    /// <summary>Discord refused the token: say so once, naming the fix, never the token.</summary>
    public void MarkTokenRefused()
    {
        TokenRefused = true;
        if (Interlocked.Exchange(ref _tokenRefusedLogged, 1) == 0)
        {
            LogTokenRefused();
        }
    }

    public void Dispose()
    {
        _rest?.Dispose();
        _loginLock.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Discord refused the bot token (401 Unauthorized): set AlertBot:Discord:BotToken (or DISCORD_BOT_TOKEN) to the token from the Developer Portal's Bot page")]
    private partial void LogTokenRefused();
}
