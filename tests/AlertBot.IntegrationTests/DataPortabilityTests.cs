namespace AlertBot.IntegrationTests;

/// <summary>Feeds in and out as OPML, watchlists in and out as YAML or JSON, through the CLI on a real database.</summary>
public sealed class DataPortabilityTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private Task<(int Exit, string Output)> RunAsync(params string[] args) => _cli.RunAsync(args);

    private string PathOf(string name) => _cli.PathOf(name);

    [Fact]
    public async Task Feeds_imported_from_opml_are_attached_to_the_channel_and_export_again()
    {
        await File.WriteAllTextAsync(PathOf("in.opml"), """
            <opml version="2.0"><body>
              <outline text="News"><outline type="rss" text="One" xmlUrl="https://one.example/rss"/></outline>
              <outline type="rss" text="Two" xmlUrl="https://two.example/feed.xml"/>
              <outline type="rss" text="Local" xmlUrl="file:///etc/passwd"/>
            </body></opml>
            """);

        var (exit, output) = await RunAsync("feed", "import", PathOf("in.opml"), "--channel", "telegram:-100200300");
        Assert.Equal(0, exit);
        Assert.Contains("skipped (not an http(s) URL): file:///etc/passwd", output, StringComparison.Ordinal);
        Assert.Contains("3 feeds in the file, 2 new, 1 skipped; 2 newly attached to telegram:-100200300", output, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("feed", "export", "--output", PathOf("out.opml"))).Exit);
        await using var exported = File.OpenRead(PathOf("out.opml"));
        var urls = AlertBot.Core.Feeds.OpmlDocument.Parse(exported).Select(f => f.Url).ToList();
        Assert.Contains("https://one.example/rss", urls);
        Assert.Contains("https://two.example/feed.xml", urls);
        Assert.DoesNotContain("file:///etc/passwd", urls);

        var (againExit, again) = await RunAsync("feed", "import", PathOf("in.opml"));
        Assert.Equal(0, againExit);
        Assert.Contains("0 new", again, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("yaml", "list.yaml")]
    [InlineData("json", "list.json")]
    public async Task A_watchlist_exported_from_one_channel_imports_into_another(string format, string file)
    {
        await File.WriteAllTextAsync(PathOf("seed.yaml"), "channel: telegram:1\nterms:\n  - Qaani\n  - \"Red Sea\"\n  - Ansar Allah\n");
        Assert.Equal(0, (await RunAsync("watchlist", "import", PathOf("seed.yaml"), "--channel", "telegram:1")).Exit);

        Assert.Equal(0, (await RunAsync("watchlist", "export", "--channel", "telegram:1", "--format", format, "--output", PathOf(file))).Exit);
        var (exit, output) = await RunAsync("watchlist", "import", PathOf(file), "--channel", "discord:42");
        Assert.Equal(0, exit);
        Assert.Contains("3 terms in the file, 3 added to discord:42", output, StringComparison.Ordinal);

        var (_, listed) = await RunAsync("watchlist", "export", "--channel", "discord:42", "--format", "json");
        Assert.Contains("\"Red Sea\"", listed, StringComparison.Ordinal);
        Assert.Contains("\"Ansar Allah\"", listed, StringComparison.Ordinal);
        Assert.Contains("\"channel\": \"discord:42\"", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_file_or_channel_is_refused_with_a_reason()
    {
        await File.WriteAllTextAsync(PathOf("broken.opml"), "<opml><body><outline");
        var (exit, output) = await RunAsync("feed", "import", PathOf("broken.opml"));
        Assert.Equal(2, exit);
        Assert.StartsWith($"alertbot: feed import: {PathOf("broken.opml")} is not an OPML document", output, StringComparison.Ordinal);

        var (badChannel, why) = await RunAsync("watchlist", "export", "--channel", "nocolon");
        Assert.Equal(2, badChannel);
        Assert.Contains("write platform:id", why, StringComparison.Ordinal);
    }
}
