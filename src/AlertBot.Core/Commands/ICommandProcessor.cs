using AlertBot.Core.Channels;

namespace AlertBot.Core.Commands;

/// <summary>
/// Who is asking, and where. Adapters fill it from the platform: <see cref="UserIsAdmin"/> is the platform's own
/// answer (Telegram getChatMember creator/administrator; Discord MANAGE_CHANNELS in member.permissions).
/// </summary>
/// <param name="IsPrivate">A one-to-one chat, which belongs to its user (who may change everything).</param>
public sealed record CommandContext(
    ChannelRef Channel,
    string? ChannelTitle,
    string UserId,
    bool UserIsAdmin,
    bool IsPrivate);

/// <summary>A reply in plain text; the adapter escapes and formats it for its platform.</summary>
public sealed record CommandReply(string Text, bool IsError = false);

/// <summary>
/// The platform-neutral command set (/subscribe, /watch, /feeds, /test, /status, ...): parse, check permission,
/// act on the store, reply. Never throws for user input: every input gets a reply.
/// </summary>
public interface ICommandProcessor
{
    /// <param name="text">The command as typed, e.g. <c>/watch add "Red Sea"</c> or <c>/watch@AlertBot list</c>.</param>
    Task<CommandReply> ExecuteAsync(string text, CommandContext context, CancellationToken cancellationToken);
}
