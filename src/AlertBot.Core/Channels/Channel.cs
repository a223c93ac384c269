namespace AlertBot.Core.Channels;

/// <summary>Platform names, which are also the first half of every channel's identity.</summary>
public static class Platforms
{
    public const string Console = "console";
    public const string Telegram = "telegram";
    public const string Discord = "discord";
}

/// <summary>
/// A chat as the platform names it. The platform is part of the key, so a Telegram chat id and a Discord channel id
/// with the same digits are different channels.
/// </summary>
public readonly record struct ChannelRef(string Platform, string ExternalId)
{
    public override string ToString() => $"{Platform}:{ExternalId}";
}

/// <summary>A subscribed chat as stored.</summary>
public sealed record Channel(
    long Id,
    ChannelRef Ref,
    string? Title,
    bool Active,
    bool Paused,
    DateTimeOffset CreatedAt);
