using AlertBot.Core.Commands;

namespace AlertBot.Discord.Interactions;

/// <summary>A slash command as Discord.Net hands it over, reduced to what Core needs: names and typed option values.</summary>
/// <param name="Values">Option name → value (string, long, or an attachment as <see cref="AttachmentRef"/>).</param>
internal sealed record SlashInput(string Name, string? SubCommand, IReadOnlyDictionary<string, object?> Values);

/// <summary>A file a user attached to a slash command option, as Discord describes it.</summary>
internal sealed record AttachmentRef(string FileName, long Size, string Url);

/// <summary>
/// Finds the command a slash command is (by the same descriptors <see cref="SlashCommands"/> registered) and has it
/// build its typed arguments from the option values: nothing is written out as text for Core to parse again, so a
/// term holds whatever the user typed into its option.
/// </summary>
internal static class SlashArguments
{
    /// <summary>The command's typed arguments, or the reply that says why there are none (an unknown command, a missing option).</summary>
    public static CommandBinding Bind(SlashInput input)
    {
        var isGroup = CommandCatalog.SlashGroups.Any(g => g.Name == input.Name);
        var descriptor = isGroup
            ? SlashCommands.OnDiscord.FirstOrDefault(d => d.SlashGroup == input.Name && d.Name == input.SubCommand)
            : SlashCommands.OnDiscord.FirstOrDefault(d => d.SlashGroup is null && d.Name == input.Name);
        if (descriptor is null)
        {
            return new CommandReply($"Unknown command /{input.Name}{(input.SubCommand is null ? "" : " " + input.SubCommand)}. Try /help.", IsError: true);
        }

        return descriptor.Bind(isGroup ? null : input.SubCommand, input.Values);
    }

    /// <summary>The attachment option's file, if the command carries one (/feeds import).</summary>
    public static AttachmentRef? Attachment(SlashInput input) =>
        input.Values.Values.OfType<AttachmentRef>().FirstOrDefault();
}
