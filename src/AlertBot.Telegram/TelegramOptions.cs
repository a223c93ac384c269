using AlertBot.Core.Configuration;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AlertBot.Telegram;

public enum TelegramMode
{
    /// <summary>Long-poll getUpdates: works behind NAT, no public address needed.</summary>
    Polling,

    /// <summary>Telegram POSTs updates to <see cref="TelegramOptions.WebhookUrl"/>; the host maps the endpoint.</summary>
    Webhook,
}

/// <summary><c>AlertBot:Telegram</c>. Without a token the Telegram adapter is off and the rest of AlertBot runs.</summary>
public sealed partial class TelegramOptions
{
    public const string Section = "AlertBot:Telegram";

    /// <summary>
    /// The BotFather token. A secret: give it through the environment (<c>AlertBot__Telegram__Token</c>, or the host's
    /// <c>TELEGRAM_BOT_TOKEN</c> / <c>*_FILE</c> secret mapping), never in a committed file. Never logged.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>The Bot API server: Telegram's, a self-hosted Bot API server, or a test server.</summary>
    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";

    public TelegramMode Mode { get; set; } = TelegramMode.Polling;

    /// <summary>Webhook mode: the public HTTPS address Telegram posts updates to.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Webhook mode: the secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Z a-z 0-9 _ -).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>At most one message per chat per this interval (Telegram: about one per second).</summary>
    [Duration("00:00:00", "00:10:00")] public TimeSpan PerChatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>At most this many messages per group or channel (negative chat id) per <see cref="GroupWindow"/>.</summary>
    [Between(1, 10_000)] public int PerGroupPerMinute { get; set; } = 20;

    /// <summary>The window of <see cref="PerGroupPerMinute"/>: one minute on Telegram; shorter only for tests.</summary>
    [Duration("00:00:00.001", "01:00:00")] public TimeSpan GroupWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many messages overall per <see cref="GlobalWindow"/>.</summary>
    [Between(1, 10_000)] public int GlobalPerSecond { get; set; } = 30;

    /// <summary>The window of <see cref="GlobalPerSecond"/>: one second on Telegram; other values only for tests.</summary>
    [Duration("00:00:00.001", "00:10:00")] public TimeSpan GlobalWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one getUpdates call waits for news (long polling).</summary>
    [Duration("00:00:00", "00:01:40")] public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The least time from one getUpdates call to the next when it brought nothing: a Bot API server (or proxy) that
    /// ignores <see cref="PollTimeout"/> and answers at once must not be asked again in a tight loop.
    /// </summary>
    [Duration("00:00:00", "00:01:00")] public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deadline of every other Bot API call.</summary>
    [Duration("00:00:01", "00:05:00")] public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>First wait after a failed getUpdates; doubles (with jitter) up to <see cref="ErrorBackoffMax"/>.</summary>
    [Duration("00:00:00.001", "00:10:00")] public TimeSpan ErrorBackoffInitial { get; set; } = TimeSpan.FromSeconds(1);

    [Duration("00:00:00.001", "01:00:00")] public TimeSpan ErrorBackoffMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Chats whose commands are handled at once; each chat's own updates are always handled in order.</summary>
    [Between(1, 256)] public int HandlerConcurrency { get; set; } = 8;

    /// <summary>Updates waiting for a handler before polling pauses (back-pressure instead of unbounded memory).</summary>
    [Between(1, 100_000)] public int HandlerQueueCapacity { get; set; } = 1000;

    /// <summary>Send alerts without the link preview card.</summary>
    public bool DisableLinkPreview { get; set; }

    /// <summary>A bot token is the bot's numeric id, a colon, and a secret of letters, digits, '_' and '-'.</summary>
    public static bool IsTokenWellFormed(string? token) => token is not null && TokenPattern().IsMatch(token);

    [GeneratedRegex(@"^\d{1,20}:[A-Za-z0-9_-]{1,200}$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$", RegexOptions.CultureInvariant)]
    internal static partial Regex SecretPattern();
}

/// <summary>The checks that need more than one key; every message names the key and never repeats a secret.</summary>
internal sealed class TelegramOptionsValidator : IValidateOptions<TelegramOptions>
{
    public ValidateOptionsResult Validate(string? name, TelegramOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Token) && !TelegramOptions.IsTokenWellFormed(options.Token))
        {
            failures.Add("AlertBot:Telegram:Token is not a bot token: it must look like <digits>:<letters, digits, '_' or '-'> (the value is not shown).");
        }

        if (!Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var baseUrl) ||
            (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("AlertBot:Telegram:ApiBaseUrl must be an absolute http(s) URL, for example https://api.telegram.org.");
        }

        if (options.ErrorBackoffMax < options.ErrorBackoffInitial)
        {
            failures.Add("AlertBot:Telegram:ErrorBackoffMax must not be shorter than AlertBot:Telegram:ErrorBackoffInitial.");
        }

        if (options.Mode == TelegramMode.Webhook)
        {
            if (!Uri.TryCreate(options.WebhookUrl, UriKind.Absolute, out var hook) || hook.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add("AlertBot:Telegram:WebhookUrl must be an absolute https URL in Webhook mode.");
            }

            if (options.WebhookSecret is null || !TelegramOptions.SecretPattern().IsMatch(options.WebhookSecret))
            {
                failures.Add("AlertBot:Telegram:WebhookSecret is required in Webhook mode: 1-256 of A-Z, a-z, 0-9, '_' and '-' (the value is not shown).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
