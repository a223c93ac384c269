namespace AlertBot.Discord.Interactions;

/// <summary>Application command option types used here (docs: interactions/application-commands).</summary>
internal static class OptionType
{
    public const int SubCommand = 1;
    public const int String = 3;
    public const int Integer = 4;
    public const int Attachment = 11;
}

internal sealed record CommandOption(
    int Type,
    string Name,
    string Description,
    bool? Required = null,
    IReadOnlyList<CommandOption>? Options = null,
    int? MaxLength = null,
    long? MinValue = null);

internal sealed record CommandDefinition(
    string Name,
    string Description,
    IReadOnlyList<CommandOption>? Options = null,
    string? DefaultMemberPermissions = null,
    int Type = 1);

/// <summary>
/// The slash commands AlertBot registers by bulk overwrite. A command that can change anything (alerts, watch,
/// feeds) is shown by default only to members with MANAGE_CHANNELS ("16"); server admins can widen that in
/// Server Settings → Integrations. The permission is re-checked on every call by Core's command processor.
/// </summary>
internal static class SlashCommands
{
    public const string ManageChannels = "16";

    public static IReadOnlyList<CommandDefinition> All { get; } =
    [
        new("alerts", "Alerts in this channel", DefaultMemberPermissions: ManageChannels, Options:
        [
            Sub("subscribe", "Start posting alerts in this channel"),
            Sub("unsubscribe", "Stop posting alerts in this channel"),
            Sub("status", "Show this channel's subscription, watchlist and feeds"),
            Sub("pause", "Pause alerts here without losing the watchlist"),
            Sub("resume", "Resume paused alerts"),
            Sub("digest", "Alerts at once, or one digest message per hour or day",
                new CommandOption(OptionType.String, "mode", "off, hourly or daily (empty: show the current mode)", Required: false, MaxLength: 10)),
        ]),
        new("watch", "This channel's watchlist", DefaultMemberPermissions: ManageChannels, Options:
        [
            Sub("add", "Watch a keyword or named actor", new CommandOption(OptionType.String, "term", "Keyword, name or query", Required: true, MaxLength: 200)),
            Sub("remove", "Stop watching a term", new CommandOption(OptionType.String, "term", "The term as listed", Required: true, MaxLength: 200)),
            Sub("list", "List watched terms"),
            Sub("priority", "Make a term alert at once, even in digest mode", new CommandOption(OptionType.String, "term", "The term as listed", Required: true, MaxLength: 200)),
            Sub("normal", "Make a priority term normal again", new CommandOption(OptionType.String, "term", "The term as listed", Required: true, MaxLength: 200)),
        ]),
        new("feeds", "This channel's news feeds", DefaultMemberPermissions: ManageChannels, Options:
        [
            Sub("add", "Add an RSS, Atom or JSON feed", new CommandOption(OptionType.String, "url", "Feed URL", Required: true, MaxLength: 2000)),
            Sub("remove", "Remove a feed", new CommandOption(OptionType.Integer, "id", "The feed's id from /feeds list", Required: true, MinValue: 1)),
            Sub("list", "List feeds"),
            Sub("import", "Add the feeds of an OPML file", new CommandOption(OptionType.Attachment, "file", "An .opml or .xml file (1 MB at most)", Required: true)),
            Sub("export", "Show this channel's feeds as OPML"),
        ]),
        new("test", "Show what this channel's watchlist would match in a text", Options:
        [
            new CommandOption(OptionType.String, "text", "A headline or paragraph", Required: true, MaxLength: 4000),
        ]),
        new("actors", "Named actors and the aliases they match", Options:
        [
            Sub("list", "List the named actors"),
            Sub("show", "Show one actor's aliases and notes", new CommandOption(OptionType.String, "name", "Name or alias", Required: true, MaxLength: 200)),
        ]),
        new("help", "What AlertBot does and how to use it"),
    ];

    private static CommandOption Sub(string name, string description, params CommandOption[] options) =>
        new(OptionType.SubCommand, name, description, Options: options.Length == 0 ? null : options);
}
