using AlertBot.Core.Channels;
using AlertBot.Discord.Configuration;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord.Alerts;

/// <summary>The configured webhooks: id → token, read once from <c>AlertBot:Discord:Webhooks</c>.</summary>
public sealed class DiscordWebhooks
{
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public DiscordWebhooks(IOptions<DiscordOptions> options)
    {
        foreach (var url in options.Value.Webhooks)
        {
            if (DiscordTarget.TryParseWebhookUrl(url, out var id, out var token))
            {
                _tokens[id] = token;
            }
        }
    }

    /// <summary>The channels the host should register as subscribed: one ("discord", "webhook:{id}") per webhook.</summary>
    public IReadOnlyList<ChannelRef> Channels => _tokens.Keys.Select(DiscordTarget.Webhook).ToList();

    internal bool TryGetToken(string webhookId, out string token) => _tokens.TryGetValue(webhookId, out token!);
}
