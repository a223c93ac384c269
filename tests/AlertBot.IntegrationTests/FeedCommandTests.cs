using System.Text;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Storage;
using AlertBot.Worker.Cli;
using AlertBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>Feeds and watchlists managed from the command line on a real SQLite database, and its backup.</summary>
public sealed class FeedCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private Task<(int Exit, string Output)> RunAsync(params string[] args) => _cli.RunAsync(args);

    private static async Task<(int Exit, string Output)> RunWithAsync(Dictionary<string, string?> settings, params string[] args)
    {
        var output = new StringWriter();
        var exit = await new CliApp(output, settings, output).RunAsync(args);
        return (exit, output.ToString());
    }

    private string WriteOpml(string name, params string[] urls)
    {
        var body = string.Concat(urls.Select((u, i) => $"<outline type=\"rss\" text=\"Feed {i}\" xmlUrl=\"{u}\"/>"));
        var path = _cli.PathOf(name);
        File.WriteAllText(path, $"<opml version=\"2.0\"><body>{body}</body></opml>");
        return path;
    }

    [Fact]
    public async Task Feeds_are_listed_with_health_given_an_interval_returned_to_the_default_and_removed()
    {
        Assert.Equal(0, (await RunAsync("feed", "import", WriteOpml("two.opml", "https://one.example/rss", "https://two.example/rss"))).Exit);

        var (_, listed) = await RunAsync("feed", "list");
        Assert.Contains("https://one.example/rss", listed, StringComparison.Ordinal);
        Assert.Contains("every 00:05:00 (default); never polled yet", listed, StringComparison.Ordinal);

        // A feed never given an interval follows DefaultInterval as it changes.
        var slower = _cli.Settings;
        slower["AlertBot:Polling:DefaultInterval"] = "00:07:00";
        Assert.Contains("every 00:07:00 (default)", (await RunWithAsync(slower, "feed", "list")).Output, StringComparison.Ordinal);

        var id = IdOf(listed, "https://one.example/rss");
        var (setExit, set) = await RunAsync("feed", "set", id, "--interval", "00:20:00");
        Assert.Equal(0, setExit);
        Assert.Contains("is polled every 00:20:00", set, StringComparison.Ordinal);
        var afterSet = (await RunWithAsync(slower, "feed", "list")).Output;
        Assert.Contains("every 00:20:00;", afterSet, StringComparison.Ordinal);
        Assert.Contains("every 00:07:00 (default)", afterSet, StringComparison.Ordinal); // the other feed

        Assert.Equal(0, (await RunAsync("feed", "set", id, "--interval", "default")).Exit);
        Assert.DoesNotContain("every 00:20:00", (await RunAsync("feed", "list")).Output, StringComparison.Ordinal);

        var (badExit, bad) = await RunAsync("feed", "set", id, "--interval", "00:00:01");
        Assert.Equal(2, badExit);
        Assert.StartsWith("alertbot: feed set: '00:00:01' is not an interval between 5 seconds and 7 days.", bad, StringComparison.Ordinal);

        var (removeExit, removed) = await RunAsync("feed", "remove", id);
        Assert.Equal(0, removeExit);
        Assert.Contains("Removed feed " + id, removed, StringComparison.Ordinal);
        var remaining = (await RunAsync("feed", "list")).Output;
        Assert.DoesNotContain("https://one.example/rss", remaining, StringComparison.Ordinal);
        Assert.Contains("https://two.example/rss", remaining, StringComparison.Ordinal);

        var (againExit, again) = await RunAsync("feed", "remove", id);
        Assert.Equal(2, againExit);
        Assert.Equal($"alertbot: feed: there is no feed {id}. `alertbot feed list` shows the ids.", again.Trim());
    }

    [Fact]
    public async Task Feed_export_writes_only_what_feed_import_takes_back()
    {
        Assert.Equal(0, (await RunAsync("run", "--once")).Exit); // the configured seed feed: a local file
        Assert.Equal(0, (await RunAsync("feed", "import", WriteOpml("one.opml", "https://one.example/rss"))).Exit);

        var (exit, output) = await RunAsync("feed", "export", "--output", _cli.PathOf("out.opml"));
        Assert.Equal(0, exit);
        Assert.Contains("left out seeds/seed-feed.xml", output, StringComparison.Ordinal);

        using var other = new CliHarness();
        var (importExit, imported) = await other.RunAsync("feed", "import", _cli.PathOf("out.opml"));
        Assert.Equal(0, importExit);
        Assert.Contains("1 feeds in the file, 1 new, 0 skipped.", imported, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shipped_pack_imports_by_name_and_a_big_import_reports_progress()
    {
        var (exit, output) = await RunAsync("feed", "import", "middle-east", "--channel", "telegram:-100");
        Assert.Equal(0, exit);
        Assert.Matches(@"(\d+) feeds in the file, \1 new, 0 skipped; \1 newly attached to telegram:-100\.", output);
        Assert.Contains("https://feeds.bbci.co.uk/news/world/middle_east/rss.xml", (await RunAsync("feed", "list")).Output, StringComparison.Ordinal);

        var many = WriteOpml("many.opml", [.. Enumerable.Range(0, 600).Select(i => $"https://feed{i}.example/rss")]);
        var (manyExit, manyOutput) = await RunAsync("feed", "import", many);
        Assert.Equal(0, manyExit);
        Assert.Contains("feed import: 250 of 600 feeds...", manyOutput, StringComparison.Ordinal);
        Assert.Contains("feed import: 500 of 600 feeds...", manyOutput, StringComparison.Ordinal);
        Assert.Contains("600 feeds in the file, 600 new, 0 skipped.", manyOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_with_a_pack_name_attaches_the_packs_feeds_and_the_preset()
    {
        using var host = AlertBotHost.CreateBuilder(HostMode.Command, TextWriter.Null, _cli.Settings).Build();
        var store = host.Services.GetRequiredService<DapperAlertStore>();
        await store.MigrateAsync(CancellationToken.None);
        var processor = host.Services.GetRequiredService<ICommandProcessor>();
        var chat = new ChannelRef(Platforms.Telegram, "-1009");

        var reply = await processor.ExecuteAsync("/subscribe middle-east", new CommandContext(chat, "Desk", "1", UserIsAdmin: true, IsPrivate: false), CancellationToken.None);

        Assert.False(reply.IsError, reply.Text);
        var channel = (await store.GetChannelAsync(chat, CancellationToken.None))!;
        var feeds = (await store.ListChannelFeedsAsync(channel.Id, CancellationToken.None)).Select(f => f.Url).ToList();
        Assert.Contains("seeds/seed-feed.xml", feeds); // the default feed
        Assert.Contains("https://www.aljazeera.com/xml/rss/all.xml", feeds);
        Assert.Contains("https://www.theguardian.com/world/middleeast/rss", feeds);
        Assert.Contains("Hezbollah", (await store.ListWatchTermsAsync(channel.Id, CancellationToken.None)).Select(t => t.Text));

        var unknown = await processor.ExecuteAsync("/subscribe nosuchpack", new CommandContext(chat, "Desk", "1", UserIsAdmin: true, IsPrivate: false), CancellationToken.None);
        Assert.True(unknown.IsError);
        Assert.Contains("feed packs: middle-east, seed", unknown.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watchlist_import_meets_the_checks_of_watch_add()
    {
        var file = _cli.PathOf("list.yaml");
        await File.WriteAllTextAsync(file, new StringBuilder()
            .Append("terms:\n")
            .Append("  - Houthis\n")
            .Append("  - Huthi\n") // covered by Houthis: not added, not an error
            .Append("  - ").Append('x', 300).Append('\n')
            .Append("  - \"Houthis AND (\"\n")
            .Append("  - \"@ghostactor\"\n")
            .ToString());

        var (exit, output) = await RunAsync("watchlist", "import", file, "--channel", "telegram:7");

        Assert.Equal(1, exit);
        Assert.Contains("5 terms in the file, 1 added to telegram:7, 3 refused.", output, StringComparison.Ordinal);
        Assert.Contains("the limit is 200", output, StringComparison.Ordinal);
        Assert.Contains("not a valid query", output, StringComparison.Ordinal);
        Assert.Contains("ghostactor", output, StringComparison.Ordinal);

        var full = _cli.PathOf("full.json");
        await File.WriteAllTextAsync(full, """{ "terms": ["Qaani", "Red Sea", "Hezbollah"] }""");
        var limited = _cli.Settings;
        limited["AlertBot:Commands:MaxTermsPerChannel"] = "3";
        var (fullExit, fullOutput) = await RunWithAsync(limited, "watchlist", "import", full, "--channel", "telegram:7");
        Assert.Equal(1, fullExit);
        Assert.Contains("3 terms in the file, 2 added to telegram:7, 1 refused.", fullOutput, StringComparison.Ordinal);
        Assert.Contains("The watchlist is full", fullOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shape.yaml", "- just\n- a list\n")]
    [InlineData("shape.json", "[1, 2, 3]")]
    [InlineData("empty.yaml", "channel: telegram:1\n")]
    public async Task A_watchlist_file_of_the_wrong_shape_is_one_line(string name, string text)
    {
        var file = _cli.PathOf(name);
        await File.WriteAllTextAsync(file, text);

        var (exit, output) = await RunAsync("watchlist", "import", file, "--channel", "telegram:7");

        Assert.Equal(2, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"alertbot: watchlist import: {file} ", line, StringComparison.Ordinal);
        Assert.Contains("Expected a mapping with a list of strings under 'terms'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Match_json_names_the_field()
    {
        var (exit, output) = await RunAsync("match", "--text", "The Houthis fired on a tanker", "--json");
        Assert.Equal(0, exit);
        Assert.Contains("\"field\": \"body\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_put_in_place_of_the_database_brings_the_data_back()
    {
        await File.WriteAllTextAsync(_cli.PathOf("list.yaml"), "terms:\n  - Qaani\n  - Red Sea\n");
        Assert.Equal(0, (await RunAsync("watchlist", "import", _cli.PathOf("list.yaml"), "--channel", "telegram:3")).Exit);
        Assert.Equal(0, (await RunAsync("feed", "import", WriteOpml("one.opml", "https://one.example/rss"))).Exit);

        var backup = _cli.PathOf("backup.db");
        var (exit, output) = await RunAsync("backup", backup);
        Assert.Equal(0, exit);
        Assert.Contains("To restore: stop AlertBot", output, StringComparison.Ordinal);

        // Restore as the README says: into a fresh data folder, the backup as alertbot.db.
        using var restored = new CliHarness();
        File.Copy(backup, restored.PathOf("alertbot.db"));
        var (_, terms) = await restored.RunAsync("watchlist", "export", "--channel", "telegram:3", "--format", "json");
        Assert.Contains("\"Red Sea\"", terms, StringComparison.Ordinal);
        Assert.Contains("https://one.example/rss", (await restored.RunAsync("feed", "list")).Output, StringComparison.Ordinal);

        var (missingExit, missing) = await RunAsync("backup", "/nonexistent/backup.db");
        Assert.Equal(3, missingExit);
        Assert.StartsWith("alertbot: output: cannot write /nonexistent/backup.db", missing, StringComparison.Ordinal);
    }

    private static string IdOf(string listing, string url)
    {
        var lines = listing.Split('\n');
        var index = Array.FindIndex(lines, l => l.Trim() == url);
        Assert.True(index > 0, listing);
        return lines[index - 1].Trim().Split(' ', 2)[0];
    }
}
