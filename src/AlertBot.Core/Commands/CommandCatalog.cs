using System.Text;

namespace AlertBot.Core.Commands;

/// <summary>A Discord slash command that gathers several commands as its sub-commands (<c>/alerts subscribe</c>).</summary>
public sealed record SlashGroup(string Name, string Summary, CommandAccess Access);

/// <summary>
/// The command set: every command's descriptor, in the order /help shows them. Adding a command is adding its
/// descriptor here (with its handler): /help, Telegram's menu, Discord's slash schema and the parser follow.
/// </summary>
public static class CommandCatalog
{
    /// <summary>Every command, listed or not.</summary>
    public static IReadOnlyList<CommandDescriptor> Descriptors { get; } =
    [
        new StartCommand(),
        new SubscribeCommand(),
        new UnsubscribeCommand(),
        new WatchCommand(),
        new FeedsCommand(),
        new TestCommand(),
        new ActorsCommand(),
        new StatusCommand(),
        new PauseCommand(),
        new ResumeCommand(),
        new DigestCommand(),
        new EscalateCommand(),
        new TrendCommand(),
        new HelpCommand(),
        new ButtonCommand(),
    ];

    /// <summary>The commands /help and the menus show.</summary>
    public static IReadOnlyList<CommandDescriptor> All { get; } = [.. Descriptors.Where(d => d.Listed)];

    /// <summary>The slash commands that group others on Discord (<see cref="CommandDescriptor.SlashGroup"/>).</summary>
    public static IReadOnlyList<SlashGroup> SlashGroups { get; } =
    [
        new("alerts", "Alerts in this channel", CommandAccess.Admin),
    ];

    private static readonly Dictionary<Type, CommandDescriptor> ByArgs = Descriptors.ToDictionary(d => d.ArgsType);

    /// <summary>A listed command by name (case-insensitive).</summary>
    public static CommandDescriptor? Find(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Any command by name, including those only buttons send.</summary>
    internal static CommandDescriptor? FindAny(string name) =>
        Descriptors.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The command whose arguments these are.</summary>
    public static CommandDescriptor For(CommandArgs args) =>
        ByArgs.TryGetValue(args.GetType(), out var descriptor)
            ? descriptor
            : throw new ArgumentException($"{args.GetType().Name} is not the arguments of a known command.", nameof(args));

    /// <summary>The /help text: every listed command's usage and description.</summary>
    public static string HelpText()
    {
        var text = new StringBuilder("AlertBot posts news that matches this chat's watchlist. Commands:\n");
        foreach (var info in All)
        {
            text.Append('\n').Append(info.Usage).Append(" — ").Append(info.Description);
        }

        return text.Append("\n\nIn groups and channels only admins can change settings.").ToString();
    }
}
