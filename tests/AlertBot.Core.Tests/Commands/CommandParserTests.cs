using AlertBot.Core.Commands;

namespace AlertBot.Core.Tests.Commands;

public sealed class CommandParserTests
{
    private static ParsedCommand Ok(string text)
    {
        var result = CommandParser.Parse(text);
        Assert.True(result.Success, result.Error);
        return result.Command!;
    }

    private static string Fails(string? text)
    {
        var result = CommandParser.Parse(text);
        Assert.False(result.Success);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
        return result.Error!;
    }

    [Fact]
    public void Plain_command_has_a_lower_case_name_and_no_arguments()
    {
        var command = Ok("/Status");
        Assert.Equal("status", command.Name);
        Assert.Null(command.BotName);
        Assert.Empty(command.Arguments);
        Assert.Equal("", command.RawArguments);
    }

    [Fact]
    public void Bot_name_suffix_is_split_off()
    {
        var command = Ok("/watch@AlertNewsBot list");
        Assert.Equal("watch", command.Name);
        Assert.Equal("AlertNewsBot", command.BotName);
        Assert.Equal(["list"], command.Arguments.Select(a => a.Text));
    }

    [Theory]
    [InlineData("/watch add \"Red Sea\"")]
    [InlineData("/watch add \u201CRed Sea\u201D")]
    [InlineData("/watch add \u201ERed Sea\u201C")]
    [InlineData("/watch add \u00ABRed Sea\u00BB")]
    [InlineData("/watch add \u201CRed Sea\"")]
    [InlineData("  /watch   add    \"Red Sea\"   ")]
    public void Quoted_phrase_is_one_argument_with_any_usual_quotes(string text)
    {
        var command = Ok(text);
        Assert.Equal(2, command.Arguments.Count);
        Assert.Equal(new CommandArgument("add", false), command.Arguments[0]);
        Assert.Equal(new CommandArgument("Red Sea", true), command.Arguments[1]);
    }

    [Fact]
    public void Apostrophes_are_part_of_a_word_not_quotes()
    {
        var command = Ok("/watch add Qa'ani");
        Assert.Equal("Qa'ani", command.Arguments[1].Text);
        Assert.False(command.Arguments[1].Quoted);
    }

    [Fact]
    public void Words_tabs_and_newlines_separate_arguments_and_raw_text_is_kept()
    {
        var command = Ok("/test Houthis\tattack\nships  in the Red Sea");
        Assert.Equal(["Houthis", "attack", "ships", "in", "the", "Red", "Sea"], command.Arguments.Select(a => a.Text));
        Assert.Equal("Houthis\tattack\nships  in the Red Sea", command.RawArguments);
    }

    [Fact]
    public void Empty_quotes_give_an_empty_quoted_argument_for_the_processor_to_judge()
    {
        var command = Ok("/watch add \"\"");
        Assert.Equal(new CommandArgument("", true), command.Arguments[1]);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("   ", "empty")]
    [InlineData("help", "start with '/'")]
    [InlineData("/", "command name must follow")]
    [InlineData("/@bot", "command name must follow")]
    [InlineData("/watch@ list", "bot name")]
    [InlineData("/watch@bad-name list", "bot name")]
    [InlineData("/wätch", "not a command name")]
    [InlineData("/watch-add x", "not a command name")]
    [InlineData("/watch add \"Red Sea", "not closed")]
    [InlineData("/watch add \"Red\"Sea", "space after the closing quote")]
    [InlineData("/watch add Red\"Sea\"", "must start a phrase")]
    public void Malformed_input_says_what_is_wrong(string? text, string expected)
    {
        Assert.Contains(expected, Fails(text), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Over_long_command_names_are_refused_and_not_echoed_whole()
    {
        var error = Fails("/" + new string('a', 500));
        Assert.True(error.Length < 200);
    }

    [Fact]
    public void Random_input_never_throws()
    {
        var random = new Random(1234);
        const string alphabet = "/@ \"\u201C\u201D\u00AB\u00BB'abcXYZ019_-\t\n\u0000\u200B\uD83D\uDE00";
        for (var i = 0; i < 5000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var result = CommandParser.Parse((random.Next(2) == 0 ? "/" : "") + new string(chars));
            Assert.True(result.Success ^ result.Error is not null);
        }
    }
}
