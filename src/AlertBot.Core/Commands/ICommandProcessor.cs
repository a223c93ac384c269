using AlertBot.Core.Channels;

namespace AlertBot.Core.Commands;

/// <summary>
/// Who is asking, and where. Adapters fill it from the platform: <see cref="UserIsAdmin"/> is the platform's own
/// answer (Telegram getChatMember creator/administrator; Discord MANAGE_CHANNELS in member.permissions).
/// </summary>
/// <param name="IsPrivate">A one-to-one chat, which belongs to its user (who may change everything).</param>
/// <param name="AdminCheck">
/// Asks the platform whether the user is an admin, when <paramref name="UserIsAdmin"/> is false and the answer costs
/// a call (Telegram getChatMember). Called only by a command that changes settings, after the rate limit, so a flood
/// never turns into a flood of platform calls. When the platform cannot answer, it throws
/// <see cref="AdminCheckFailedException"/> (never answers true).
/// </param>
public sealed record CommandContext(
    ChannelRef Channel,
    string? ChannelTitle,
    string UserId,
    bool UserIsAdmin,
    bool IsPrivate,
    Func<CancellationToken, Task<bool>>? AdminCheck = null)
{
    /// <summary>The file sent with the command (Telegram document, Discord attachment option), if any.</summary>
    public CommandAttachment? Attachment { get; init; }

    /// <summary>A private chat belongs to its user; elsewhere only the platform's admins change settings.</summary>
    public async Task<bool> MayChangeSettingsAsync(CancellationToken cancellationToken) =>
        IsPrivate || UserIsAdmin || (AdminCheck is { } check && await check(cancellationToken));
}

/// <summary>
/// A small text file that travels with a command or a reply (an OPML feed list). Adapters download at most
/// <see cref="MaxBytes"/>: for a bigger file they pass <paramref name="Text"/> null and the size they saw, and the
/// processor says it is too big.
/// </summary>
public sealed record CommandAttachment(string FileName, long Size, string? Text)
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>A file the adapter refused to download whole.</summary>
    public bool TooBig => Text is null || Size > MaxBytes;

    public static CommandAttachment FromText(string fileName, string text) =>
        new(fileName, System.Text.Encoding.UTF8.GetByteCount(text), text);
}

/// <summary>A reply in plain text; the adapter escapes and formats it for its platform.</summary>
public sealed record CommandReply(string Text, bool IsError = false)
{
    /// <summary>No answer at all: the sender is flooding and has already been told to slow down.</summary>
    public static CommandReply Silence { get; } = new("", IsError: true) { Silent = true };

    /// <summary>The adapter sends nothing back (see <see cref="Silence"/>).</summary>
    public bool Silent { get; init; }

    /// <summary>A file to send with the text (the adapter sends it as a document / file upload).</summary>
    public CommandAttachment? Attachment { get; init; }

    /// <summary>A picture that is the answer (the /trend chart): a photo on Telegram, an embed's image on Discord; the text goes under it.</summary>
    public CommandImage? Image { get; init; }
}

/// <summary>A PNG made by a command, with its file name.</summary>
public sealed record CommandImage(string FileName, byte[] Png);

/// <summary>
/// The platform-neutral command set (/subscribe, /watch, /feeds, /test, /status, ...): parse (or take typed
/// arguments), check permission, run the command's handler, reply. Never throws for user input: every input gets a reply, except
/// <see cref="CommandReply.Silence"/> for a flood that was already told to slow down.
/// </summary>
public interface ICommandProcessor
{
    /// <param name="text">The command as typed, e.g. <c>/watch add "Red Sea"</c> or <c>/watch@AlertBot list</c>.</param>
    Task<CommandReply> ExecuteAsync(string text, CommandContext context, CancellationToken cancellationToken);

    /// <summary>A command whose arguments the adapter already has typed (Discord's interaction options).</summary>
    Task<CommandReply> ExecuteAsync(CommandArgs command, CommandContext context, CancellationToken cancellationToken);
}

/// <summary>
/// Thrown by a <see cref="CommandContext.AdminCheck"/> that could not get the platform's answer (a timeout, an error):
/// the command is refused with "the check failed, try again" rather than "only an admin can".
/// </summary>
public sealed class AdminCheckFailedException : Exception
{
    public AdminCheckFailedException()
    {
    }

    public AdminCheckFailedException(string message)
        : base(message)
    {
    }

    public AdminCheckFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
