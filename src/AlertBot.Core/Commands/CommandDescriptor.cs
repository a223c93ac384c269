using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertBot.Core.Commands;

/// <summary>
/// Everything about one command in one place: its name, help and usage text, its option schema, who may run it, how
/// its typed arguments are read from text and from named options, and which handler runs it. /help, Telegram's
/// command menu (setMyCommands), Discord's slash commands and the text parser are all generated from the
/// descriptors in <see cref="CommandCatalog"/>.
/// </summary>
public abstract class CommandDescriptor
{
    /// <summary>Lower-case, as typed after the slash: <c>watch</c>.</summary>
    public abstract string Name { get; }

    /// <summary>One line for /help and Telegram's menu (256 characters at most).</summary>
    public abstract string Description { get; }

    /// <summary>One line for Discord (100 characters at most); the description when that is short enough.</summary>
    public virtual string Summary => Description;

    /// <summary>Every form, as /help shows them: the actions' usages, or the command's own.</summary>
    public virtual string Usage => string.Join(" · ", Actions.Select(a => a.Usage));

    /// <summary>Who may run the command's changing forms (the menus show admin-only commands to admins first).</summary>
    public abstract CommandAccess Access { get; }

    /// <summary>True when some form of the command changes settings (shown only to admins by default on Discord).</summary>
    public bool ChangesSettings => Access == CommandAccess.Admin;

    /// <summary>Listed in /help and the menus; false for commands that only buttons send.</summary>
    public virtual bool Listed => true;

    /// <summary>
    /// Where Discord shows it: null for its own slash command, else the name of the slash command that groups it as a
    /// sub-command (<see cref="CommandCatalog.SlashGroups"/>). Not on Discord at all when <see cref="OnDiscord"/> is false.
    /// </summary>
    public virtual string? SlashGroup => null;

    /// <summary>False for a command Discord does not need (/start is how Telegram opens a chat with a bot).</summary>
    public virtual bool OnDiscord => Listed;

    /// <summary>The sub-actions (<c>/watch add</c>, <c>/watch list</c>), or empty for a command that takes <see cref="Options"/>.</summary>
    public virtual IReadOnlyList<CommandAction> Actions => [];

    /// <summary>The options of a command without sub-actions.</summary>
    public virtual IReadOnlyList<CommandOption> Options => [];

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
public abstract class CommandDescriptor<TArgs, THandler> : CommandDescriptor
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
