using AlertBot.Core.Commands;
using AlertBot.Discord.Interactions;
using Discord;

namespace AlertBot.Discord.Tests.Interactions;

public sealed class InteractionTranslatorTests
{
    private static string Translate(string name, string? sub, Dictionary<string, object?>? values = null)
    {
        Assert.True(InteractionTranslator.TryTranslate(new SlashInput(name, sub, values ?? []), out var text, out var error), error);
        return text;
    }

    private static Dictionary<string, object?> Opt(string name, object value) => new() { [name] = value };

    [Theory]
    [InlineData("alerts", "subscribe", "/subscribe")]
    [InlineData("alerts", "unsubscribe", "/unsubscribe")]
    [InlineData("alerts", "status", "/status")]
    [InlineData("alerts", "pause", "/pause")]
    [InlineData("alerts", "resume", "/resume")]
    [InlineData("watch", "list", "/watch list")]
    [InlineData("feeds", "list", "/feeds list")]
    [InlineData("alerts", "digest", "/digest")]
    [InlineData("actors", "list", "/actors list")]
    public void Subcommands_without_options_map_to_core_commands(string name, string sub, string expected) =>
        Assert.Equal(expected, Translate(name, sub));

    [Fact]
    public void Options_become_arguments_and_multiword_terms_are_quoted()
    {
        Assert.Equal("/watch add Qaani", Translate("watch", "add", Opt("term", "Qaani")));
        Assert.Equal("/watch add \"Ansar Allah\"", Translate("watch", "add", Opt("term", "  Ansar Allah ")));
        Assert.Equal("/feeds add https://example.org/rss.xml", Translate("feeds", "add", Opt("url", "https://example.org/rss.xml")));
        Assert.Equal("/feeds remove 12", Translate("feeds", "remove", Opt("id", 12L)));
        Assert.Equal("/test Houthis attack ship near Hodeidah", Translate("test", null, Opt("text", "Houthis attack ship\nnear Hodeidah")));
        Assert.Equal("/help", Translate("help", null));
        Assert.Equal("/digest hourly", Translate("alerts", "digest", Opt("mode", "hourly")));
        Assert.Equal("/watch priority Qaani", Translate("watch", "priority", Opt("term", "Qaani")));
        Assert.Equal("/watch normal \"Ansar Allah\"", Translate("watch", "normal", Opt("term", "Ansar Allah")));
        Assert.Equal("/actors show \"Esmail Qaani\"", Translate("actors", "show", Opt("name", "Esmail Qaani")));
    }

    [Theory]
    [InlineData("\"Red Sea\"", "Red Sea", true)]
    [InlineData("Houthi AND \"Red Sea\"", "Houthi", false)]
    [InlineData("«Ansar Allah»", "Ansar Allah", true)]
    public void A_term_with_double_quotes_reaches_cores_parser_as_the_user_wrote_it(string term, string firstArgument, bool quoted)
    {
        var text = Translate("watch", "add", Opt("term", term));

        var parsed = CommandParser.Parse(text);
        Assert.True(parsed.Success, parsed.Error);
        Assert.Equal("watch", parsed.Command!.Name);
        Assert.Equal(new CommandArgument(firstArgument, quoted), parsed.Command.Arguments[1]);
        Assert.Equal(term, parsed.Command.RawArguments["add ".Length..]);
    }

    [Fact]
    public void An_unknown_command_or_a_missing_option_is_refused_with_a_reason()
    {
        foreach (var input in new[] { new SlashInput("shutdown", null, new Dictionary<string, object?>()), new SlashInput("watch", "add", new Dictionary<string, object?>()), new SlashInput("alerts", "explode", new Dictionary<string, object?>()) })
        {
            Assert.False(InteractionTranslator.TryTranslate(input, out _, out var error));
            Assert.Contains("/help", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Command_definitions_keep_discords_rules()
    {
        static void Check(string name, string description)
        {
            Assert.Matches("^[a-z0-9_-]{1,32}$", name);
            Assert.InRange(description.Length, 1, 100);
        }

        var commands = SlashCommands.Build().Cast<SlashCommandProperties>().ToArray();
        foreach (var command in commands)
        {
            Check(command.Name.Value, command.Description.Value);
            foreach (var option in command.Options.GetValueOrDefault([]))
            {
                Check(option.Name, option.Description);
                var inner = option.Options ?? [];
                foreach (var arg in inner)
                {
                    Check(arg.Name, arg.Description);
                }

                // Required options must come before optional ones.
                Assert.Equal(inner.OrderByDescending(o => o.IsRequired == true).Select(o => o.Name), inner.Select(o => o.Name));
            }
        }

        Assert.All(
            commands.Where(c => c.Name.Value is "alerts" or "watch" or "feeds"),
            c => Assert.Equal(GuildPermission.ManageChannels, c.DefaultMemberPermissions.Value));
    }
}
