using AlertBot.Core.Channels;

namespace AlertBot.Telegram;

/// <summary>Telegram is on (a token is set); its chats come by <c>/subscribe</c>, none from configuration.</summary>
internal sealed class TelegramChatAdapter : IChatAdapter
{
    public string Platform => Platforms.Telegram;

    public IReadOnlyList<ConfiguredChannel> ConfiguredChannels => [];
}
