using AlertBot.Core.Commands;
using Discord;

namespace AlertBot.Discord.Interactions;

/// <summary>
/// The slash commands AlertBot registers by bulk overwrite, generated from Core's command descriptors
/// (<see cref="CommandCatalog"/>): a command with actions becomes a slash command with sub-commands, a command in a
/// <see cref="SlashGroup"/> a sub-command of that group, each option an option of the same name. A command that can
/// change anything is shown by default only to members with MANAGE_CHANNELS; server admins can widen that in Server
/// Settings → Integrations. The permission is re-checked on every call by Core.
/// </summary>
internal static class SlashCommands
{
    /// <summary>The descriptors Discord offers, in /help's order.</summary>
    public static IReadOnlyList<CommandDescriptor> OnDiscord { get; } = [.. CommandCatalog.All.Where(d => d.OnDiscord)];

    public static ApplicationCommandProperties[] Build()
    {
        var built = new List<ApplicationCommandProperties>();
        var groupsDone = new HashSet<string>(StringComparer.Ordinal);
        foreach (var descriptor in OnDiscord)
        {
            if (descriptor.SlashGroup is { } groupName)
            {
                if (groupsDone.Add(groupName))
                {
                    var group = CommandCatalog.SlashGroups.Single(g => g.Name == groupName);
                    var builder = Command(group.Name, group.Summary, group.Access);
                    foreach (var member in OnDiscord.Where(d => d.SlashGroup == groupName))
                    {
                        builder.AddOption(Sub(member.Name, member.Summary, member.Options));
                    }

                    built.Add(builder.Build());
                }

                continue;
            }

            var command = Command(descriptor.Name, descriptor.Summary, descriptor.Access);
            if (descriptor.Actions.Count > 0)
            {
                foreach (var action in descriptor.Actions)
                {
                    command.AddOption(Sub(action.Name, action.Summary, action.Options));
                }
            }
            else
            {
                foreach (var option in Ordered(descriptor.Options))
                {
                    command.AddOption(Option(option));
                }
            }

            built.Add(command.Build());
        }

        return [.. built];
    }

    private static SlashCommandBuilder Command(string name, string description, CommandAccess access)
    {
        var builder = new SlashCommandBuilder().WithName(name).WithDescription(description);
        return access == CommandAccess.Admin ? builder.WithDefaultMemberPermissions(GuildPermission.ManageChannels) : builder;
    }

    private static SlashCommandOptionBuilder Sub(string name, string description, IReadOnlyList<CommandOption> options)
    {
        var sub = new SlashCommandOptionBuilder().WithName(name).WithDescription(description).WithType(ApplicationCommandOptionType.SubCommand);
        foreach (var option in Ordered(options))
        {
            sub.AddOption(Option(option));
        }

        return sub;
    }

    // Discord refuses a required option after an optional one.
    private static IEnumerable<CommandOption> Ordered(IReadOnlyList<CommandOption> options) => options.OrderByDescending(o => o.Required);

    private static SlashCommandOptionBuilder Option(CommandOption option)
    {
        var builder = new SlashCommandOptionBuilder().WithName(option.Name).WithDescription(option.Description).WithRequired(option.Required)
            .WithType(option.Kind switch
            {
                CommandOptionKind.Number => ApplicationCommandOptionType.Integer,
                CommandOptionKind.Attachment => ApplicationCommandOptionType.Attachment,
                _ => ApplicationCommandOptionType.String,
            });
        if (option.MaxLength is { } max)
        {
            builder.WithMaxLength(max);
        }

        if (option.MinValue is { } min)
        {
            builder.WithMinValue(min);
        }

        foreach (var choice in option.Choices ?? [])
        {
            builder.AddChoice(choice, choice);
        }

        return builder;
    }
}
