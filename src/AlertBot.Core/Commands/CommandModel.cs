namespace AlertBot.Core.Commands;

/// <summary>
/// A command's arguments, typed. Each command declares its own record; the text parser and Discord's interaction
/// options both build it, so a handler never re-reads text another adapter wrote.
/// </summary>
public abstract record CommandArgs;

/// <summary>Who may run a command: anyone in the chat, or only whoever may change its settings.</summary>
public enum CommandAccess
{
    /// <summary>Reads only: every member may run it.</summary>
    Anyone,

    /// <summary>
    /// Changes settings (in at least one of its forms): in a group or channel only the platform's admins; in a
    /// private chat its user. Discord shows such a command by default only to members with MANAGE_CHANNELS.
    /// </summary>
    Admin,
}

/// <summary>What an option holds, as chat platforms type it (Discord's option types).</summary>
public enum CommandOptionKind
{
    Text,
    /// <summary>A whole number (Discord INTEGER).</summary>
    Number,
    Attachment,
}

/// <summary>One named option of a command or of one of its actions: the Discord slash schema is made of these.</summary>
/// <param name="Choices">The only values allowed, when the option is a pick from a list.</param>
public sealed record CommandOption(
    string Name,
    string Description,
    CommandOptionKind Kind = CommandOptionKind.Text,
    bool Required = true,
    int? MaxLength = null,
    long? MinValue = null,
    IReadOnlyList<string>? Choices = null);

/// <summary>One form of a command with sub-actions (<c>/watch add</c>): a Discord sub-command, a line of /help.</summary>
/// <param name="Usage">As /help shows it, e.g. <c>/watch add &lt;term&gt;</c>.</param>
/// <param name="Summary">One line for Discord (100 characters at most).</param>
/// <param name="Aliases">Other words the text parser accepts for it (<c>rm</c> for <c>remove</c>).</param>
public sealed record CommandAction(
    string Name,
    string Usage,
    string Summary,
    IReadOnlyList<CommandOption> Options,
    IReadOnlyList<string>? Aliases = null)
{
    public CommandAction(string name, string usage, string summary, params CommandOption[] options)
        : this(name, usage, summary, (IReadOnlyList<CommandOption>)options)
    {
    }

    /// <summary>The <c>list</c> action of <paramref name="command"/> (no options), which also answers to <c>ls</c>.</summary>
    public static CommandAction List(string command, string summary) => new("list", $"/{command} list", summary, [], ["ls"]);

    /// <summary>The <c>remove</c> action of <paramref name="command"/>, which also answers to <c>rm</c> and <c>delete</c>.</summary>
    public static CommandAction Remove(string command, CommandOption what, string summary) =>
        new("remove", $"/{command} remove <{what.Name}>", summary, [what], ["rm", "delete"]);

    public bool IsNamed(string word) =>
        string.Equals(Name, word, StringComparison.OrdinalIgnoreCase) ||
        (Aliases?.Any(a => string.Equals(a, word, StringComparison.OrdinalIgnoreCase)) ?? false);
}

/// <summary>
/// The arguments a command was given, or the reply that says why they do not fit (usage errors are replies, never
/// exceptions).
/// </summary>
public readonly record struct CommandBinding(CommandArgs? Args, CommandReply? Problem)
{
    public static implicit operator CommandBinding(CommandArgs args) => new(args, null);

    public static implicit operator CommandBinding(CommandReply problem) => new(null, problem);
}

/// <summary>What running a command needs of the user: nothing, or the right to change this chat's settings.</summary>
/// <param name="What">Said in the refusal: "Only an admin of this chat can {What}."</param>
public sealed record CommandPermission(string What);

/// <summary>Runs one command, given its typed arguments. One handler class per command.</summary>
public interface ICommandHandler<in TArgs>
    where TArgs : CommandArgs
{
    /// <summary>
    /// Checks the arguments against what only the handler knows (limits, the actor dictionary, the SSRF guard)
    /// before the permission check, so a typo is answered with its usage rather than a refusal. Null when they fit.
    /// </summary>
    ValueTask<CommandReply?> ValidateAsync(TArgs args, CommandContext context, CancellationToken cancellationToken) => default;

    /// <summary>Runs the command; the permission its descriptor asked for has been granted.</summary>
    Task<CommandReply> HandleAsync(TArgs args, CommandContext context, CancellationToken cancellationToken);
}
