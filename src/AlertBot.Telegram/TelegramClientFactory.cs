using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace AlertBot.Telegram;

/// <summary>
/// Makes Telegram.Bot clients on handlers from <see cref="IHttpClientFactory"/> (pooled, rotated, no request logging
/// because the token is part of every URL). Our own limiter and backoff own retries, so the library's are off.
/// </summary>
public sealed class TelegramClientFactory(IHttpClientFactory httpClients, IOptions<TelegramOptions> options)
{
    public const string HttpClientName = "AlertBot.Telegram";

    public ITelegramBotClient Create()
    {
        var settings = options.Value;
        var token = settings.ResolveToken() ?? throw new InvalidOperationException("AlertBot:Telegram:Token is not configured.");
        var clientOptions = new TelegramBotClientOptions(token, settings.ApiBaseUrl.TrimEnd('/'))
        {
            RetryThreshold = 0,
        };
        return new TelegramBotClient(clientOptions, httpClients.CreateClient(HttpClientName));
    }
}
