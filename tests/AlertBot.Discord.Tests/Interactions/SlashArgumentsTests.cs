using AlertBot.Core.Commands;
using AlertBot.Core.Digests;
using AlertBot.Discord.Interactions;
using Discord;

namespace AlertBot.Discord.Tests.Interactions;

public sealed class SlashArgumentsTests
{
    private static CommandArgs Bind(string name, string? sub, Dictionary<string, object?>? values = null)
    {
        var binding = SlashArguments.Bind(new SlashInput(name, sub, values ?? []));
        Assert.True(binding.Args is not null, binding.Problem?.Text);
        return binding.Args;
    }

    private static Dictionary<string, object?> Opt(string name, object value) => new() { [name] = value };

    public static TheoryData<string, string, CommandArgs> WithoutOptions => new()
    {
        { "alerts", "subscribe", new SubscribeArgs() },
        { "alerts", "unsubscribe", new UnsubscribeArgs() },
        { "alerts", "status", new StatusArgs() },
        { "alerts", "pause", new PauseArgs() },
        { "alerts", "resume", new ResumeArgs() },
        { "watch", "list", new WatchArgs(WatchAction.List) },
        { "feeds", "list", new FeedsArgs(FeedsAction.List) },
        { "alerts", "digest", new DigestArgs() },
        { "actors", "list", new ActorsArgs(ActorsAction.List) },
    };

    [Theory]
    [MemberData(nameof(WithoutOptions))]
    public void Subcommands_without_options_map_to_core_commands(string name, string sub, CommandArgs expected) =>
        Assert.Equal(expected, Bind(name, sub));

    [Fact]
    public void Options_become_typed_arguments()
    {
        Assert.Equal(new WatchArgs(WatchAction.Add, "Qaani"), Bind("watch", "add", Opt("term", "Qaani")));
        Assert.Equal(new WatchArgs(WatchAction.Add, "Ansar Allah"), Bind("watch", "add", Opt("term", "  Ansar Allah ")));
        Assert.Equal(new FeedsArgs(FeedsAction.Add, Url: "https://example.org/rss.xml"), Bind("feeds", "add", Opt("url", "https://example.org/rss.xml")));
        Assert.Equal(new FeedsArgs(FeedsAction.Remove, FeedId: 12), Bind("feeds", "remove", Opt("id", 12L)));
        Assert.Equal(new TestArgs("Houthis attack ship near Hodeidah"), Bind("test", null, Opt("text", "Houthis attack ship\nnear Hodeidah")));
        Assert.Equal(new HelpArgs(), Bind("help", null));
        Assert.Equal(new DigestArgs(DigestMode.Hourly), Bind("alerts", "digest", Opt("mode", "hourly")));
        Assert.Equal(new WatchArgs(WatchAction.Priority, "Qaani"), Bind("watch", "priority", Opt("term", "Qaani")));
        Assert.Equal(new WatchArgs(WatchAction.Normal, "Ansar Allah"), Bind("watch", "normal", Opt("term", "Ansar Allah")));
        Assert.Equal(new ActorsArgs(ActorsAction.Show, "Esmail Qaani"), Bind("actors", "show", Opt("name", "Esmail Qaani")));
    }

    [Theory]
    [InlineData("\"Red Sea\"")]
    [InlineData("Houthi AND \"Red Sea\"")]
    [InlineData("«Ansar Allah»")]
    [InlineData("Red\"Sea")]
    public void A_term_with_double_quotes_reaches_core_as_the_user_wrote_it(string term) =>
        Assert.Equal(new WatchArgs(WatchAction.Add, term), Bind("watch", "add", Opt("term", term)));

    [Fact]
    public void An_unknown_command_or_a_missing_option_is_refused_with_a_reason()
    {
        foreach (var input in new[] { new SlashInput("shutdown", null, new Dictionary<string, object?>()), new SlashInput("watch", "add", new Dictionary<string, object?>()), new SlashInput("alerts", "explode", new Dictionary<string, object?>()) })
        {
            var binding = SlashArguments.Bind(input);
            Assert.Null(binding.Args);
            Assert.Contains("/help", binding.Problem!.Text, StringComparison.Ordinal);
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
