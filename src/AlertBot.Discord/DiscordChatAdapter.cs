using AlertBot.Core.Channels;
using AlertBot.Discord.Alerts;
using AlertBot.Discord.Configuration;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord;

/// <summary>
/// Discord is on (a bot token or a webhook is set). Webhook channels have no commands: each configured webhook is a
/// channel reading the default feeds with the <see cref="DiscordOptions.WebhookWatchlist"/> preset.
/// </summary>
internal sealed class DiscordChatAdapter(DiscordWebhooks webhooks, IOptions<DiscordOptions> options) : IChatAdapter
{
    private const string WatchlistKey = DiscordOptions.SectionName + ":" + nameof(DiscordOptions.WebhookWatchlist);

    public string Platform => Platforms.Discord;

    public IReadOnlyList<ConfiguredChannel> ConfiguredChannels
    {
        get
        {
            var preset = string.IsNullOrEmpty(options.Value.WebhookWatchlist) ? "default" : options.Value.WebhookWatchlist;
            return webhooks.Channels.Select(c => new ConfiguredChannel(c, "Discord webhook", preset, WatchlistKey)).ToList();
        }
    }
}
