using System.Text.Json;
using System.Text.Json.Nodes;
using AlertBot.Discord.Interactions;
using AlertBot.Testing.Discord;

namespace AlertBot.Discord.Tests.Interactions;

public sealed class InteractionTranslatorTests
{
    private static TranslatedCommand Translate(JsonObject interaction)
    {
        using var doc = JsonDocument.Parse(interaction.ToJsonString());
        Assert.True(InteractionTranslator.TryTranslate(doc.RootElement.Clone(), out var command, out var error), error);
        return command;
    }

    private static Dictionary<string, JsonNode?> Opt(string name, JsonNode value) => new() { [name] = value };

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
        Assert.Equal(expected, Translate(FakeDiscordInteractions.SlashCommand(name, sub)).Text);

    [Fact]
    public void Options_become_arguments_and_multiword_terms_are_quoted()
    {
        Assert.Equal("/watch add Qaani", Translate(FakeDiscordInteractions.SlashCommand("watch", "add", Opt("term", "Qaani"))).Text);
        Assert.Equal("/watch add \"Ansar Allah\"", Translate(FakeDiscordInteractions.SlashCommand("watch", "add", Opt("term", "  Ansar Allah "))).Text);
        Assert.Equal("/watch remove \"say \\\"hi\\\"\"", Translate(FakeDiscordInteractions.SlashCommand("watch", "remove", Opt("term", "say \"hi\""))).Text);
        Assert.Equal("/feeds add https://example.org/rss.xml", Translate(FakeDiscordInteractions.SlashCommand("feeds", "add", Opt("url", "https://example.org/rss.xml"))).Text);
        Assert.Equal("/feeds remove 12", Translate(FakeDiscordInteractions.SlashCommand("feeds", "remove", Opt("id", 12))).Text);
        Assert.Equal("/test Houthis attack ship near Hodeidah", Translate(FakeDiscordInteractions.SlashCommand("test", null, Opt("text", "Houthis attack ship\nnear Hodeidah"))).Text);
        Assert.Equal("/help", Translate(FakeDiscordInteractions.SlashCommand("help", null)).Text);
        Assert.Equal("/digest hourly", Translate(FakeDiscordInteractions.SlashCommand("alerts", "digest", Opt("mode", "hourly"))).Text);
        Assert.Equal("/watch priority Qaani", Translate(FakeDiscordInteractions.SlashCommand("watch", "priority", Opt("term", "Qaani"))).Text);
        Assert.Equal("/watch normal \"Ansar Allah\"", Translate(FakeDiscordInteractions.SlashCommand("watch", "normal", Opt("term", "Ansar Allah"))).Text);
        Assert.Equal("/actors show \"Esmail Qaani\"", Translate(FakeDiscordInteractions.SlashCommand("actors", "show", Opt("name", "Esmail Qaani"))).Text);
    }

    [Theory]
    [InlineData("16", true)] // MANAGE_CHANNELS
    [InlineData("8", true)] // ADMINISTRATOR
    [InlineData("2147483647", true)]
    [InlineData("3072", false)] // VIEW_CHANNEL | SEND_MESSAGES
    [InlineData("0", false)]
    [InlineData("garbage", false)]
    public void Admin_comes_from_the_members_channel_permissions(string permissions, bool admin)
    {
        var context = Translate(FakeDiscordInteractions.SlashCommand("alerts", "subscribe", permissions: permissions)).Context;

        Assert.Equal(admin, context.UserIsAdmin);
        Assert.False(context.IsPrivate);
        Assert.Equal(FakeDiscordInteractions.UserId, context.UserId);
    }

    [Fact]
    public void A_direct_message_is_private_and_belongs_to_its_user()
    {
        var context = Translate(FakeDiscordInteractions.SlashCommand("alerts", "subscribe", permissions: null)).Context;

        Assert.True(context.IsPrivate);
        Assert.True(context.UserIsAdmin);
        Assert.Equal(FakeDiscordInteractions.UserId, context.UserId);
    }

    [Fact]
    public void An_unknown_command_or_a_missing_option_is_refused_with_a_reason()
    {
        foreach (var interaction in new[]
        {
            FakeDiscordInteractions.SlashCommand("shutdown", null),
            FakeDiscordInteractions.SlashCommand("watch", "add"),
            FakeDiscordInteractions.SlashCommand("alerts", "explode"),
        })
        {
            using var doc = JsonDocument.Parse(interaction.ToJsonString());
            Assert.False(InteractionTranslator.TryTranslate(doc.RootElement, out _, out var error));
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

        foreach (var command in SlashCommands.All)
        {
            Check(command.Name, command.Description);
            foreach (var option in command.Options ?? [])
            {
                Check(option.Name, option.Description);
                var inner = option.Options ?? [];
                foreach (var arg in inner)
                {
                    Check(arg.Name, arg.Description);
                }

                // Required options must come before optional ones.
                Assert.Equal(inner.OrderByDescending(o => o.Required == true).Select(o => o.Name), inner.Select(o => o.Name));
            }
        }

        Assert.All(SlashCommands.All.Where(c => c.Name is "alerts" or "watch" or "feeds"), c => Assert.Equal("16", c.DefaultMemberPermissions));
    }
}
