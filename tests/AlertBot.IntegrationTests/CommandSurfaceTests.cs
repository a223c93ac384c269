using AlertBot.Core.Commands;
using AlertBot.Discord.Interactions;
using AlertBot.Telegram.Receiving;
using Discord;

namespace AlertBot.IntegrationTests;

/// <summary>
/// /help, Telegram's command menu (setMyCommands) and Discord's slash schema are generated from one descriptor set:
/// each holds every command, and nothing else, so a new descriptor shows up in all three with no other edit.
/// </summary>
public sealed class CommandSurfaceTests
{
    [Fact]
    public void Help_the_telegram_menu_and_the_discord_schema_hold_every_descriptor()
    {
        var help = CommandCatalog.HelpText();
        var menu = TelegramUpdateReceiver.MenuCommands.Select(c => c.Command).ToList();
        var slash = SlashCommands.Build().Cast<SlashCommandProperties>().ToList();

        Assert.NotEmpty(CommandCatalog.All);
        Assert.Equal(CommandCatalog.All.Select(d => d.Name), menu);
        foreach (var descriptor in CommandCatalog.All)
        {
            Assert.Contains(descriptor.Usage, help, StringComparison.Ordinal);
            if (!descriptor.OnDiscord)
            {
                continue;
            }

            var top = Assert.Single(slash, c => c.Name.Value == (descriptor.SlashGroup ?? descriptor.Name));
            var subs = top.Options.GetValueOrDefault([]).Where(o => o.Type == ApplicationCommandOptionType.SubCommand).Select(o => o.Name).ToList();
            if (descriptor.SlashGroup is not null)
            {
                Assert.Contains(descriptor.Name, subs);
            }
            else
            {
                Assert.Equal(descriptor.Actions.Select(a => a.Name), subs);
            }

            Assert.Equal(descriptor.ChangesSettings || descriptor.SlashGroup is not null, top.DefaultMemberPermissions.IsSpecified);
        }

        // Nothing on Discord that is not a descriptor: every slash command binds to one with its required options.
        foreach (var command in slash)
        {
            var forms = command.Options.GetValueOrDefault([]).Where(o => o.Type == ApplicationCommandOptionType.SubCommand).ToList();
            foreach (var (sub, options) in forms.Count == 0
                ? [(null, command.Options.GetValueOrDefault([]))]
                : forms.Select(f => ((string?)f.Name, (IEnumerable<ApplicationCommandOptionProperties>)(f.Options ?? []))))
            {
                var values = options.Where(o => o.IsRequired == true).ToDictionary(o => o.Name, o => (object?)(o.Type switch
                {
                    ApplicationCommandOptionType.Integer => 1L,
                    ApplicationCommandOptionType.Attachment => new AttachmentRef("feeds.opml", 10, "https://cdn.discordapp.com/a"),
                    _ => "Qaani",
                }));
                var binding = SlashArguments.Bind(new SlashInput(command.Name.Value, sub, values));
                Assert.True(binding.Args is not null, $"/{command.Name.Value} {sub}: {binding.Problem?.Text}");
            }
        }
    }
}
