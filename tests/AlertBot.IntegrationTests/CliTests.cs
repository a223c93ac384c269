using AlertBot.Worker.Cli;

namespace AlertBot.IntegrationTests;

/// <summary>The command line as a user runs it, on the shipped configuration and seed feed.</summary>
public sealed class CliTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private Task<(int Exit, string Output)> RunAsync(params string[] args) => _cli.RunAsync(args);

    private string WriteFile(string name, string text)
    {
        var path = _cli.PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Outbox_verbs_on_an_empty_database_say_so_and_refuse_an_unknown_id_or_a_missing_target()
    {
        var (listExit, list) = await RunAsync("outbox", "parked");
        Assert.Equal((0, "No parked alerts."), (listExit, list.Trim()));
        Assert.Equal("[]", (await RunAsync("outbox", "parked", "--json")).Output.Trim());

        var (unknownExit, unknown) = await RunAsync("outbox", "requeue", "999");
        Assert.Equal(1, unknownExit);
        Assert.Contains("No parked alert 999", unknown, StringComparison.Ordinal);

        var (missingExit, missing) = await RunAsync("outbox", "requeue");
        Assert.NotEqual(0, missingExit);
        Assert.Contains("Give exactly one of an id or --all.", missing, StringComparison.Ordinal);

        var (allExit, all) = await RunAsync("outbox", "requeue", "--all");
        Assert.Equal(0, allExit);
        Assert.Contains("0 alert(s) re-queued", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_once_on_the_default_configuration_prints_the_seed_alert_and_a_second_run_prints_nothing_new()
    {
        var (exit, output) = await RunAsync("run", "--once");

        Assert.Equal(0, exit);
        Assert.Equal(1, CountOccurrences(output, "=== ALERT"));
        Assert.Contains("Iranian commander visits Iraq to preserve truce with US before potential landmark talks", output, StringComparison.Ordinal);
        Assert.Contains("https://www.thenationalnews.com/news/mena/2025/03/26/iranian-commander-visits-iraq", output, StringComparison.Ordinal);
        foreach (var term in new[] { "Qaani", "Houthis", "Red Sea" })
        {
            Assert.Contains(term, output, StringComparison.Ordinal);
        }

        // The summary is drawn from the article's own sentences.
        Assert.Contains("visited Iraq last week to help maintain the unofficial truce", output, StringComparison.Ordinal);

        var (secondExit, secondOutput) = await RunAsync("run", "--once");
        Assert.Equal(0, secondExit);
        Assert.DoesNotContain("=== ALERT", secondOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Match_reports_houthis_and_red_sea_with_the_sentence_and_nothing_for_iran()
    {
        const string text = "Yemen’s Houthis fired on a tanker in the Red Sea, Miranda said";
        var (exit, output) = await RunAsync("match", "--text", text, "--watchlist", "middle-east");

        Assert.Equal(0, exit);
        Assert.Contains("Houthis: 1 hit(s)", output, StringComparison.Ordinal);
        Assert.Contains("Red Sea: 1 hit(s)", output, StringComparison.Ordinal);
        Assert.Contains(text, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Iran: ", output, StringComparison.Ordinal);
        Assert.Contains("No match: ", output, StringComparison.Ordinal);
        Assert.Matches("No match: .*Iran", output);
    }

    [Fact]
    public async Task Match_needs_exactly_one_of_text_or_file()
    {
        var (exit, output) = await RunAsync("match");
        Assert.NotEqual(0, exit);
        Assert.Contains("--text or --file", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_check_prints_the_items_of_the_seed_feed()
    {
        var (exit, output) = await RunAsync("feed", "check", "seeds/seed-feed.xml");
        Assert.Equal(0, exit);
        Assert.Contains("1 items", output, StringComparison.Ordinal);
        Assert.Contains("Iranian commander visits Iraq", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_check_on_a_malformed_file_prints_a_one_line_reason_and_fails()
    {
        var path = WriteFile("broken.xml", "<rss version=\"2.0\"><channel><item><title>unclosed</channel>");
        var (exit, output) = await RunAsync("feed", "check", path);

        Assert.Equal(1, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("feed rejected: Malformed:", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_check_on_billion_laughs_expands_nothing()
    {
        var laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
              <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
              <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
              <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
              <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
              <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
            ]>
            <rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://a.example/1</link></item></channel></rss>
            """;
        var path = WriteFile("laughs.xml", laughs);
        var (exit, output) = await RunAsync("feed", "check", path, "--json");

        // Rejected, or read with the entity left unexpanded: never a billion "lol"s.
        Assert.True(output.Length < 10_000, $"output of {output.Length} characters");
        Assert.DoesNotContain("lollol", output, StringComparison.Ordinal);
        Assert.True(exit is 0 or 1);
    }

    [Fact]
    public async Task A_bad_setting_stops_with_a_message_naming_the_key()
    {
        var output = new StringWriter();
        var overrides = _cli.Settings;
        overrides["AlertBot:Delivery:BatchSize"] = "0";
        var exit = await new CliApp(output, overrides, output).RunAsync(["run", "--once"]);
        Assert.Equal(2, exit);
        Assert.Contains("AlertBot:Delivery:BatchSize", output.ToString(), StringComparison.Ordinal);
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
