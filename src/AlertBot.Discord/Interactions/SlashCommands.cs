using Discord;

namespace AlertBot.Discord.Interactions;

/// <summary>
/// The slash commands AlertBot registers by bulk overwrite, mapped onto Core's command set by
/// <see cref="InteractionTranslator"/>. A command that can change anything (alerts, watch, feeds) is shown by default
/// only to members with MANAGE_CHANNELS; server admins can widen that in Server Settings → Integrations. The
/// permission is re-checked on every call by Core's command processor.
/// </summary>
internal static class SlashCommands
{
    public static ApplicationCommandProperties[] Build() =>
    [
        Command("alerts", "Alerts in this channel", manage: true)
            .AddOption(Sub("subscribe", "Start posting alerts in this channel"))
            .AddOption(Sub("unsubscribe", "Stop posting alerts in this channel"))
            .AddOption(Sub("status", "Show this channel's subscription, watchlist and feeds"))
            .AddOption(Sub("pause", "Pause alerts here without losing the watchlist"))
            .AddOption(Sub("resume", "Resume paused alerts"))
            .AddOption(Sub("digest", "Alerts at once, or one digest message per hour or day")
                .AddOption(Text("mode", "off, hourly or daily (empty: show the current mode)", required: false, maxLength: 10)))
            .Build(),
        Command("watch", "This channel's watchlist", manage: true)
            .AddOption(Sub("add", "Watch a keyword or named actor").AddOption(Text("term", "Keyword, name or query", true, 200)))
            .AddOption(Sub("remove", "Stop watching a term").AddOption(Text("term", "The term as listed", true, 200)))
            .AddOption(Sub("list", "List watched terms"))
            .AddOption(Sub("priority", "Make a term alert at once, even in digest mode").AddOption(Text("term", "The term as listed", true, 200)))
            .AddOption(Sub("normal", "Make a priority term normal again").AddOption(Text("term", "The term as listed", true, 200)))
            .Build(),
        Command("feeds", "This channel's news feeds", manage: true)
            .AddOption(Sub("add", "Add an RSS, Atom or JSON feed").AddOption(Text("url", "Feed URL", true, 2000)))
            .AddOption(Sub("remove", "Remove a feed").AddOption(new SlashCommandOptionBuilder()
                .WithName("id").WithDescription("The feed's id from /feeds list").WithType(ApplicationCommandOptionType.Integer)
                .WithRequired(true).WithMinValue(1)))
            .AddOption(Sub("list", "List feeds"))
            .AddOption(Sub("import", "Add the feeds of an OPML file").AddOption(new SlashCommandOptionBuilder()
                .WithName("file").WithDescription("An .opml or .xml file (1 MB at most)").WithType(ApplicationCommandOptionType.Attachment)
                .WithRequired(true)))
            .AddOption(Sub("export", "This channel's feeds as an OPML file"))
            .Build(),
        Command("test", "Show what this channel's watchlist would match in a text", manage: false)
            .AddOption(Text("text", "A headline or paragraph", true, 4000))
            .Build(),
        Command("actors", "Named actors and the aliases they match", manage: false)
            .AddOption(Sub("list", "List the named actors"))
            .AddOption(Sub("show", "Show one actor's aliases and notes").AddOption(Text("name", "Name or alias", true, 200)))
            .Build(),
        Command("escalate", "One \"Breaking\" reply when a story gathers many outlets fast", manage: true)
            .AddOption(Text("setting", "'5 30' (outlets, minutes), 'off', or 'role <role id|none>'; empty shows it", required: false, maxLength: 60))
            .Build(),
        Command("trend", "A chart of matched items per term, with the top stories", manage: false)
            .AddOption(Text("term", "One term of the watchlist (empty: all)", required: false, maxLength: 200))
            .AddOption(new SlashCommandOptionBuilder().WithName("period").WithDescription("24h, 7d (default) or 30d")
                .WithType(ApplicationCommandOptionType.String).WithRequired(false)
                .AddChoice("24h", "24h").AddChoice("7d", "7d").AddChoice("30d", "30d"))
            .Build(),
        Command("help", "What AlertBot does and how to use it", manage: false).Build(),
    ];

    private static SlashCommandBuilder Command(string name, string description, bool manage)
    {
        var builder = new SlashCommandBuilder().WithName(name).WithDescription(description);
        return manage ? builder.WithDefaultMemberPermissions(GuildPermission.ManageChannels) : builder;
    }

    private static SlashCommandOptionBuilder Sub(string name, string description) =>
        new SlashCommandOptionBuilder().WithName(name).WithDescription(description).WithType(ApplicationCommandOptionType.SubCommand);

    private static SlashCommandOptionBuilder Text(string name, string description, bool required, int maxLength) =>
        new SlashCommandOptionBuilder().WithName(name).WithDescription(description).WithType(ApplicationCommandOptionType.String)
            .WithRequired(required).WithMaxLength(maxLength);
}
