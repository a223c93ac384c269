using AlertBot.Testing.Discord;
using AlertBot.Testing.Feeds;
using AlertBot.Testing.Stories;
using AlertBot.Worker.Cli;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The whole worker (CLI "run --once", real SQLite, loopback feeds, loopback fake Discord): a second outlet's copy of
/// a posted story edits the webhook message in place instead of posting again.
/// </summary>
public sealed class StoryDiscordEndToEndTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "alertbot-sde-" + Guid.NewGuid().ToString("N"));
    private LoopbackFeedServer _feeds = null!;
    private FakeDiscordServer _discord = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _feeds = await LoopbackFeedServer.StartAsync();
        _discord = await FakeDiscordServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _feeds.DisposeAsync();
        await _discord.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static SampleItem Copy(int index)
    {
        var copy = WireStories.QaaniCopies[index];
        return new SampleItem(copy.Title, copy.Link, $"<p>{copy.Body}</p>", DateTimeOffset.UtcNow.AddMinutes(index));
    }

    [Fact]
    public async Task A_later_copy_of_a_posted_story_patches_the_webhook_message()
    {
        _discord.Webhooks["4243"] = "webhook-secret-token";
        _feeds.Set("/ap", LoopbackResponse.Text(SampleFeeds.Rss("Associated Press", Copy(0))));
        _feeds.Set("/abc", LoopbackResponse.Text(SampleFeeds.Rss("ABC News")));
        var overrides = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, "alertbot.db")}",
            ["AlertBot:Polling:Feeds:0:Url"] = _feeds.Url("/ap"),
            ["AlertBot:Polling:Feeds:0:Backfill"] = "5",
            ["AlertBot:Polling:Feeds:1:Url"] = _feeds.Url("/abc"),
            ["AlertBot:Polling:Feeds:1:Backfill"] = "5",
            ["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.1/32",
            ["AlertBot:Discord:ApiBaseUrl"] = _discord.ApiBaseUrl,
            ["AlertBot:Discord:Webhooks:0"] = $"{_discord.ApiBaseUrl}/webhooks/4243/webhook-secret-token",
        };

        var output = new StringWriter();
        Assert.Equal(0, await new CliApp(output, overrides, output).RunAsync(["run", "--once"]));
        var posted = Assert.Single(_discord.MessagesIn("webhook:4243"));

        _feeds.Set("/abc", LoopbackResponse.Text(SampleFeeds.Rss("ABC News", Copy(2))));
        Assert.Equal(0, await new CliApp(output, overrides, output).RunAsync(["run", "--once"]));

        var message = Assert.Single(_discord.MessagesIn("webhook:4243"));
        Assert.Equal(posted.Id, message.Id);
        Assert.Contains(_discord.Requests, r => r.Method == "PATCH" && r.Path.Contains($"/webhooks/4243/webhook-secret-token/messages/{posted.Id}", StringComparison.Ordinal));
        Assert.StartsWith("Associated Press · also: ABC News · ab1-", (string?)message.Body["embeds"]![0]!["footer"]!["text"], StringComparison.Ordinal);
        Assert.Equal(WireStories.QaaniCopies[0].Title, (string?)message.Body["embeds"]![0]!["title"]);
    }
}
