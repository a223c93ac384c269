using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertBot.Core.Commands;

/// <summary>What a command is, for people and menus: the part of its descriptor that is data.</summary>
/// <param name="Name">Lower-case, as typed after the slash: <c>watch</c>.</param>
/// <param name="Description">One line for /help and Telegram's menu (256 characters at most).</param>
/// <param name="Access">Who may run its changing forms.</param>
public sealed record CommandInfo(string Name, string Description, CommandAccess Access)
{
    /// <summary>One line for Discord (100 characters at most), when the description is longer.</summary>
    public string? Summary { get; init; }

    /// <summary>Every form as /help shows them, when not the actions' usages (or <c>/name</c>).</summary>
    public string? Usage { get; init; }

    /// <summary>
    /// The Discord slash command that holds it as a sub-command (<see cref="CommandCatalog.SlashGroups"/>), or null
    /// for a slash command of its own.
    /// </summary>
    public string? SlashGroup { get; init; }

    /// <summary>Listed in /help and the menus; false for commands that only buttons send.</summary>
    public bool Listed { get; init; } = true;

    /// <summary>Offered on Discord; by default when listed.</summary>
    public bool? OnDiscord { get; init; }

    /// <summary>The sub-actions (<c>/watch add</c>): Discord sub-commands, the first word of the text form.</summary>
    public IReadOnlyList<CommandAction> Actions { get; init; } = [];

    /// <summary>The options of a command without sub-actions.</summary>
    public IReadOnlyList<CommandOption> Options { get; init; } = [];
}

/// <summary>
/// Everything about one command in one place: its name, help and usage text, its option schema, who may run it, how
/// its typed arguments are read from text and from named options, and which handler runs it. /help, Telegram's
/// command menu (setMyCommands), Discord's slash commands and the text parser are all generated from the
/// descriptors in <see cref="CommandCatalog"/>.
/// </summary>
public abstract class CommandDescriptor(CommandInfo info)
{
    /// <summary>Lower-case, as typed after the slash: <c>watch</c>.</summary>
    public string Name => info.Name;

    /// <summary>One line for /help and Telegram's menu (256 characters at most).</summary>
    public string Description => info.Description;

    /// <summary>One line for Discord (100 characters at most); the description when that is short enough.</summary>
    public string Summary => info.Summary ?? info.Description;

    /// <summary>Every form, as /help shows them: the actions' usages, or the command's own.</summary>
    public string Usage => info.Usage ?? (info.Actions.Count > 0 ? string.Join(" · ", info.Actions.Select(a => a.Usage)) : "/" + info.Name);

    /// <summary>Who may run the command's changing forms (the menus show admin-only commands to admins first).</summary>
    public CommandAccess Access => info.Access;

    /// <summary>True when some form of the command changes settings (shown only to admins by default on Discord).</summary>
    public bool ChangesSettings => Access == CommandAccess.Admin;

    /// <summary>Listed in /help and the menus; false for commands that only buttons send.</summary>
    public bool Listed => info.Listed;

    /// <summary>The slash command that groups it on Discord, or null for its own (<see cref="CommandInfo.SlashGroup"/>).</summary>
    public string? SlashGroup => info.SlashGroup;

    /// <summary>False for a command Discord does not offer.</summary>
    public bool OnDiscord => info.OnDiscord ?? info.Listed;

    /// <summary>The sub-actions (<c>/watch add</c>, <c>/watch list</c>), or empty for a command that takes <see cref="Options"/>.</summary>
    public IReadOnlyList<CommandAction> Actions => info.Actions;

    /// <summary>The options of a command without sub-actions.</summary>
    public IReadOnlyList<CommandOption> Options => info.Options;

    /// <summary>The record this command's arguments are.</summary>
    public abstract Type ArgsType { get; }

    /// <summary>The typed arguments of a typed command line (the name is this command's).</summary>
    public abstract CommandBinding Parse(ParsedCommand command);

    /// <summary>
    /// The typed arguments from named option values, as Discord sends them: strings, integers (long) and attachments
    /// (<see cref="CommandAttachment"/>). <paramref name="action"/> is the sub-action, or null.
    /// </summary>
    public abstract CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values);

    /// <summary>The usage block of a reply that says what was wrong: one form a line.</summary>
    public string UsageLines => Usage.Replace(" · ", "\n", StringComparison.Ordinal);

    /// <summary>The action a word names (its name or an alias), or null.</summary>
    public CommandAction? FindAction(string word) => Actions.FirstOrDefault(a => a.IsNamed(word));

    /// <summary>Runs the arguments through the handler: validation, the permission check, then the handler.</summary>
    internal abstract Task<CommandReply> RunAsync(IServiceProvider services, CommandArgs args, CommandContext context, CancellationToken cancellationToken);

    internal abstract void Register(IServiceCollection services);
}

/// <summary>A descriptor whose arguments are <typeparamref name="TArgs"/> and whose handler is <typeparamref name="THandler"/>.</summary>
public abstract class CommandDescriptor<TArgs, THandler>(CommandInfo info) : CommandDescriptor(info)
    where TArgs : CommandArgs
    where THandler : class, ICommandHandler<TArgs>
{
    public sealed override Type ArgsType => typeof(TArgs);

    /// <summary>What these arguments need of the user: null when anyone may, else what an admin may do.</summary>
    public abstract CommandPermission? Requires(TArgs args);

    internal sealed override async Task<CommandReply> RunAsync(IServiceProvider services, CommandArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        var typed = (TArgs)args;
        ICommandHandler<TArgs> handler = services.GetRequiredService<THandler>();
        if (await handler.ValidateAsync(typed, context, cancellationToken) is { } problem)
        {
            return problem;
        }

        // Asked after the arguments are known to be good and after the rate limit: a flood of bad commands never turns
        // into a flood of platform calls (Telegram's getChatMember).
        if (Requires(typed) is { } permission && !await context.MayChangeSettingsAsync(cancellationToken))
        {
            return Replies.Refused(permission.What);
        }

        return await handler.HandleAsync(typed, context, cancellationToken);
    }

    internal sealed override void Register(IServiceCollection services) => services.TryAddSingleton<THandler>();
}

/// <summary>A command that takes no arguments (<c>/status</c>): its usage is its name, and anything after it is ignored.</summary>
/// <param name="info">The command's data.</param>
/// <param name="requires">What running it means for an admin to allow (<c>pause alerts</c>), or null when anyone may.</param>
public abstract class PlainCommand<TArgs, THandler>(CommandInfo info, string? requires = null) : CommandDescriptor<TArgs, THandler>(info)
    where TArgs : CommandArgs, new()
    where THandler : class, ICommandHandler<TArgs>
{
    private readonly CommandPermission? _requires = requires is null ? null : new(requires);

    public sealed override CommandPermission? Requires(TArgs args) => _requires;

    public sealed override CommandBinding Parse(ParsedCommand command) => new TArgs();

    public sealed override CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values) => new TArgs();
}
