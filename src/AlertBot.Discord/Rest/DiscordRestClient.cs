using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AlertBot.Discord.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord.Rest;

/// <summary>
/// Sends REST calls through the rate limiter. A 429 whose wait is short is waited out and retried here; a longer one
/// goes back to the caller as <see cref="DiscordOutcome.RateLimited"/>. After a 401 on the bot token, every later
/// bot call fails at once without touching the network: Discord bans IPs that keep sending bad tokens.
/// </summary>
internal sealed partial class DiscordRestClient
{
    public const string HttpClientName = "AlertBot.Discord";

    internal static readonly TimeSpan MaxInlineRateLimitWait = TimeSpan.FromSeconds(10);
    private const int MaxRateLimitAttempts = 4;

    private readonly IHttpClientFactory _httpFactory;
    private readonly DiscordRateLimiter _limiter;
    private readonly DiscordOptions _options;
    private readonly ILogger<DiscordRestClient> _logger;
    private int _botTokenRejected;

    // A singleton (it owns the 401 latch), so it takes a fresh HttpClient from the factory per call.
    public DiscordRestClient(IHttpClientFactory httpFactory, DiscordRateLimiter limiter, IOptions<DiscordOptions> options, ILogger<DiscordRestClient> logger)
    {
        _httpFactory = httpFactory;
        _limiter = limiter;
        _options = options.Value;
        _logger = logger;
    }

    public bool BotTokenRejected => Volatile.Read(ref _botTokenRejected) == 1;

    public bool HasBotToken => _options.HasBotToken;

    public async Task<DiscordResponse> SendAsync(DiscordRoute route, object? body, CancellationToken cancellationToken)
    {
        if (route.UsesBotToken && !_options.HasBotToken)
        {
            return new DiscordResponse(DiscordOutcome.Unauthorized, null, null, null, "no bot token is configured");
        }

        for (var attempt = 1; ; attempt++)
        {
            if (route.UsesBotToken && BotTokenRejected)
            {
                return new DiscordResponse(DiscordOutcome.Unauthorized, HttpStatusCode.Unauthorized, null, null, "the bot token was rejected (401) earlier");
            }

            DiscordResponse result;
            using (var lease = await _limiter.AcquireAsync(route, cancellationToken))
            {
                // Checked again: a 401 may have come back while this request queued.
                if (route.UsesBotToken && BotTokenRejected)
                {
                    return new DiscordResponse(DiscordOutcome.Unauthorized, HttpStatusCode.Unauthorized, null, null, "the bot token was rejected (401) earlier");
                }

                result = await SendOnceAsync(route, body, lease, cancellationToken);
            }

            if (result.Outcome != DiscordOutcome.RateLimited
                || attempt >= MaxRateLimitAttempts
                || result.RetryAfter > MaxInlineRateLimitWait)
            {
                return result;
            }

            // The limiter now holds the bucket (or everything, if global) until retry_after has passed.
            LogRateLimited(route.TemplateKey, result.RetryAfter?.TotalSeconds ?? 0, attempt);
        }
    }

    private async Task<DiscordResponse> SendOnceAsync(DiscordRoute route, object? body, DiscordRateLimiter.Lease lease, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(route.Method, route.Path);
        if (route.UsesBotToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bot", _options.BotToken);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: DiscordJson.Options);
        }

        HttpResponseMessage response;
        string text;
        try
        {
            response = await _httpFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DiscordResponse(DiscordOutcome.TransportError, null, null, null, "timed out");
        }
        catch (HttpRequestException ex)
        {
            // The message names host and port at most, never the path (which may hold a webhook token).
            LogTransportError(route.TemplateKey, ex.HttpRequestError, ex);
            return new DiscordResponse(DiscordOutcome.TransportError, null, null, null, $"network error ({ex.HttpRequestError})");
        }

        using (response)
        {
            var info = lease.Complete(response, text);
            var status = response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new DiscordResponse(DiscordOutcome.Success, status, text, null, "ok");
            }

            var reason = DiscordResponse.DescribeError(status, text);
            switch ((int)status)
            {
                case 429:
                    return new DiscordResponse(DiscordOutcome.RateLimited, status, text, info.RetryAfter, info.IsGlobal ? "globally rate limited" : "rate limited");
                case 401:
                    if (route.UsesBotToken && Interlocked.Exchange(ref _botTokenRejected, 1) == 0)
                    {
                        LogBotTokenRejected(route.TemplateKey);
                    }

                    return new DiscordResponse(DiscordOutcome.Unauthorized, status, text, null, reason);
                case 403:
                    return new DiscordResponse(DiscordOutcome.Forbidden, status, text, null, reason);
                case 404:
                    return new DiscordResponse(DiscordOutcome.NotFound, status, text, null, reason);
                case >= 500:
                    return new DiscordResponse(DiscordOutcome.ServerError, status, text, null, reason);
                default:
                    LogRejected(route.TemplateKey, reason);
                    return new DiscordResponse(DiscordOutcome.BadRequest, status, text, null, reason);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Discord rejected the bot token (401) on {Route}; no further bot requests will be sent. Check AlertBot:Discord:BotToken and restart.")]
    private partial void LogBotTokenRejected(string route);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord rate limited {Route}; waiting {RetryAfterSeconds:0.###} s before attempt {Attempt}")]
    private partial void LogRateLimited(string route, double retryAfterSeconds, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord request {Route} failed: {Error}")]
    private partial void LogTransportError(string route, HttpRequestError error, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord refused {Route}: {Reason}")]
    private partial void LogRejected(string route, string reason);
}
