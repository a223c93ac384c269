using AlertBot.Testing.Discord;
using AlertBot.Testing.Feeds;
using AlertBot.Worker.Cli;

namespace AlertBot.IntegrationTests;

/// <summary>
/// A Discord webhook channel from configuration alone: the worker subscribes it to the default feeds with the default
/// watchlist and posts an embed through the loopback fake Discord, over real HTTP.
/// </summary>
public sealed class DiscordWebhookEndToEndTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "alertbot-dwh-" + Guid.NewGuid().ToString("N"));
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

    [Fact]
    public async Task A_configured_webhook_receives_the_matching_story_as_an_embed_once()
    {
        _discord.Webhooks["4242"] = "webhook-secret-token";
        var story = new SampleItem(
            "Ansar Allah fires on a tanker in the Red Sea",
            "https://news.example/ansar-allah",
            "<p>Yemen’s Ansar Allah said it fired on a tanker in the Red Sea.</p>",
            DateTimeOffset.UtcNow);
        _feeds.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("Loopback", story)));
        var overrides = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, "alertbot.db")}",
            ["AlertBot:Polling:Feeds:0:Url"] = _feeds.Url("/feed"),
            ["AlertBot:Polling:Feeds:0:Backfill"] = "5",
            ["AlertBot:Discord:ApiBaseUrl"] = _discord.ApiBaseUrl,
            ["AlertBot:Discord:Webhooks:0"] = $"{_discord.ApiBaseUrl}/webhooks/4242/webhook-secret-token",
        };

        var output = new StringWriter();
        Assert.Equal(0, await new CliApp(output, overrides, output).RunAsync(["run", "--once"]));
        Assert.Equal(0, await new CliApp(output, overrides, output).RunAsync(["run", "--once"]));

        var message = Assert.Single(_discord.MessagesIn("webhook:4242"));
        var embed = message.Body["embeds"]![0]!;
        Assert.Equal(story.Title, (string?)embed["title"]);
        Assert.Equal(story.Link, (string?)embed["url"]);
        Assert.Contains("Houthis", message.Body.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("Red Sea", message.Body.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, _discord.UnexpectedRateLimitCount);
        // A chat is configured, so nothing goes to the console.
        Assert.DoesNotContain("=== ALERT", output.ToString(), StringComparison.Ordinal);
    }
}
