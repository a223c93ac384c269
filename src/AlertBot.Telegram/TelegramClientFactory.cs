using System.Net.Http.Json;
using System.Text.Json;
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
        var token = settings.Token ?? throw new InvalidOperationException("AlertBot:Telegram:Token is not configured.");
        var clientOptions = new TelegramBotClientOptions(token, settings.ApiBaseUrl.TrimEnd('/'))
        {
            RetryThreshold = 0,
        };
        return new TelegramBotClient(clientOptions, httpClients.CreateClient(HttpClientName));
    }

    /// <summary>
    /// Calls a Bot API method without the library and returns the raw <c>result</c> JSON: for reading updates one by
    /// one when the library cannot read a batch. The URL holds the token; it is never logged or put in an exception.
    /// </summary>
    internal async Task<JsonElement?> CallRawAsync(string method, object body, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var token = settings.Token ?? throw new InvalidOperationException("AlertBot:Telegram:Token is not configured.");
        var url = new Uri($"{settings.ApiBaseUrl.TrimEnd('/')}/bot{token}/{method}");
        using var content = JsonContent.Create(body);
        using var response = await httpClients.CreateClient(HttpClientName).PostAsync(url, content, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return document.RootElement.TryGetProperty("result", out var result) ? result.Clone() : null;
    }
}
