using AlertBot.Discord.Alerts;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord.Configuration;

/// <summary>Bound from <c>AlertBot:Discord</c>. With neither a bot token nor a webhook the adapter stays off.</summary>
public sealed class DiscordOptions
{
    public const string SectionName = "AlertBot:Discord";

    /// <summary>The bot token. A secret: set it from the environment (AlertBot__Discord__BotToken), never in a file.</summary>
    public string? BotToken { get; set; }

    public string ApiBaseUrl { get; set; } = "https://discord.com/api/v10";

    /// <summary>Overrides the URL from GET /gateway/bot (tests, proxies): Discord.Net's GatewayHost.</summary>
    public string? GatewayUrl { get; set; }

    /// <summary>When set, slash commands are registered on this guild only, which takes effect at once.</summary>
    public string? DevelopmentGuildId { get; set; }

    /// <summary>AlertBot's own pace across all REST calls: Discord.Net only learns the global limit from a 429.</summary>
    public int GlobalRequestsPerSecond { get; set; } = 50;

    /// <summary>Webhook URLs (https://discord.com/api/webhooks/{id}/{token}) that may receive alerts without a bot.</summary>
    public List<string> Webhooks { get; set; } = [];

    /// <summary>The preset (from the watchlists file) each configured webhook channel starts with.</summary>
    public string? WebhookWatchlist { get; set; } = "default";

    public int RequestTimeoutSeconds { get; set; } = 30;

    public bool HasBotToken => !string.IsNullOrWhiteSpace(BotToken);

    /// <summary>Whether the adapter has anything to do at all.</summary>
    public bool IsEnabled => HasBotToken || Webhooks.Count > 0;
}

/// <summary>Checks the options at start-up; messages name the key and never echo the token.</summary>
internal sealed class DiscordOptionsValidator : IValidateOptions<DiscordOptions>
{
    private const string Prefix = DiscordOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        var failures = new List<string>();
        if (!IsAbsoluteHttp(options.ApiBaseUrl))
        {
            failures.Add($"{Prefix}ApiBaseUrl must be an absolute http(s) URL.");
        }

        if (options.GatewayUrl is { } gateway
            && !(Uri.TryCreate(gateway, UriKind.Absolute, out var uri) && uri.Scheme is "ws" or "wss"))
        {
            failures.Add($"{Prefix}GatewayUrl must be an absolute ws(s) URL.");
        }

        if (options.HasBotToken && (options.BotToken!.Any(char.IsWhiteSpace) || options.BotToken!.StartsWith("Bot ", StringComparison.Ordinal)))
        {
            failures.Add($"{Prefix}BotToken must be the bare token (no 'Bot ' prefix, no spaces).");
        }

        if (options.DevelopmentGuildId is { } guild && !DiscordTarget.IsSnowflake(guild))
        {
            failures.Add($"{Prefix}DevelopmentGuildId must be a numeric Discord id.");
        }

        if (options.GlobalRequestsPerSecond is < 1 or > 50_000)
        {
            failures.Add($"{Prefix}GlobalRequestsPerSecond must be between 1 and 50000.");
        }

        if (options.RequestTimeoutSeconds is < 1 or > 300)
        {
            failures.Add($"{Prefix}RequestTimeoutSeconds must be between 1 and 300.");
        }

        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            if (!DiscordTarget.TryParseWebhookUrl(options.Webhooks[i], out _, out _))
            {
                // The URL holds the webhook's token, so only its position is named.
                failures.Add($"{Prefix}Webhooks:{i} is not a Discord webhook URL (…/webhooks/{{id}}/{{token}}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsAbsoluteHttp(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
