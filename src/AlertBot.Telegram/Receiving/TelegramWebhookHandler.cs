using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace AlertBot.Telegram.Receiving;

/// <summary>
/// The webhook endpoint's work, free of any web framework so the host maps it in one line and tests call it directly:
/// check the secret header (constant time), read the update, hand it off, answer at once.
/// </summary>
public sealed partial class TelegramWebhookHandler(UpdateDispatcher dispatcher, IOptions<TelegramOptions> options, ILogger<TelegramWebhookHandler> logger)
{
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    /// <returns>The HTTP status to answer: 200 accepted, 401 wrong secret, 400 unreadable body.</returns>
    public async Task<int> HandleAsync(string? secretHeader, Stream body, CancellationToken cancellationToken)
    {
        if (!SecretMatches(options.Value.WebhookSecret, secretHeader))
        {
            LogBadSecret(logger);
            return 401;
        }

        Update? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<Update>(body, JsonBotAPI.Options, cancellationToken);
        }
        catch (JsonException ex)
        {
            LogUnreadable(logger, ex);
            return 400;
        }

        if (update is null)
        {
            return 400;
        }

        await dispatcher.EnqueueAsync(update, cancellationToken);
        return 200;
    }

    internal static bool SecretMatches(string? expected, string? given)
    {
        if (string.IsNullOrEmpty(expected) || given is null)
        {
            return false;
        }

        // Hash both sides first so the comparison takes the same time whatever the lengths are.
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)),
            SHA256.HashData(Encoding.UTF8.GetBytes(given)));
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Warning, Message = "Telegram webhook call refused: wrong or missing secret header")]
    private static partial void LogBadSecret(ILogger logger);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Telegram webhook body is not an update")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
