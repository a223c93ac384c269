using AlertBot.Core.Feeds;
using AlertBot.Feeds.Fetching;
using AlertBot.Testing.Feeds;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertBot.Feeds.Tests;

public sealed class ServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddAlertBotFeeds(configuration).BuildServiceProvider();
    }

    [Fact]
    public async Task Registered_reader_uses_bound_options()
    {
        await using var server = await LoopbackFeedServer.StartAsync();
        server.Set("/loop", LoopbackResponse.Redirect("/loop"));
        server.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("DI", new SampleItem("t", "http://x.test/1"))));
        await using var provider = Build(new()
        {
            ["AlertBot:Fetch:MaxRedirects"] = "2",
            ["AlertBot:Fetch:Timeout"] = "00:00:10",
            ["AlertBot:Fetch:UserAgent"] = "Configured/1",
            ["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.1/32",
        });

        var reader = provider.GetRequiredService<IFeedReader>();

        Assert.Equal(TimeSpan.FromSeconds(10), provider.GetRequiredService<IOptions<FetchOptions>>().Value.Timeout);
        Assert.IsType<FeedReadResult.Success>(await reader.ReadAsync(server.Url("/feed"), FeedValidators.None, CancellationToken.None));
        Assert.Equal("Configured/1", server.RequestHeaders("/feed")[0]["User-Agent"]);
        Assert.IsType<FeedReadResult.Failure>(await reader.ReadAsync(server.Url("/loop"), FeedValidators.None, CancellationToken.None));
        Assert.Equal(3, server.RequestCount("/loop"));
    }

    [Theory]
    [InlineData("AlertBot:Fetch:Timeout", "00:00:00")]
    [InlineData("AlertBot:Fetch:MaxBodyBytes", "0")]
    [InlineData("AlertBot:Fetch:MaxRedirects", "-1")]
    [InlineData("AlertBot:Fetch:MaxDecompressedBytes", "10")]
    [InlineData("AlertBot:Fetch:AllowedNetworks:0", "10.0.0.5/8")]
    [InlineData("AlertBot:Fetch:AllowedNetworks:0", "192.168.1.0/33")]
    [InlineData("AlertBot:Fetch:AllowedNetworks:0", "lan")]
    [InlineData("AlertBot:Fetch:AllowedHosts:0", "http://nas.lan:8080")]
    [InlineData("AlertBot:Fetch:AllowedHosts:0", "127.0.0.1")]
    public void Invalid_options_fail_with_the_key_named(string key, string value)
    {
        using var provider = Build(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FetchOptions>>().Value);

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registered_reader_guards_private_addresses_and_the_validator_shares_the_allow_list()
    {
        await using var server = await LoopbackFeedServer.StartAsync();
        server.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("DI", new SampleItem("t", "http://x.test/1"))));
        await using var guarded = Build([]);
        await using var allowing = Build(new() { ["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.0/8" });

        var blocked = await guarded.GetRequiredService<IFeedReader>().ReadAsync(server.Url("/feed"), FeedValidators.None, CancellationToken.None);

        Assert.Equal(FeedErrorKind.Blocked, Assert.IsType<FeedReadResult.Failure>(blocked).Kind);
        Assert.Equal(0, server.RequestCount("/feed"));
        Assert.NotNull(guarded.GetRequiredService<IFeedUrlValidator>().Validate(server.Url("/feed")));
        Assert.Null(allowing.GetRequiredService<IFeedUrlValidator>().Validate(server.Url("/feed")));
        Assert.NotNull(allowing.GetRequiredService<IFeedUrlValidator>().Validate("file:///etc/passwd"));
    }

    [Fact]
    public void Defaults_match_the_documented_limits()
    {
        var options = new FetchOptions();

        Assert.Equal((TimeSpan.FromSeconds(30), 10L * 1024 * 1024, 50L * 1024 * 1024, 5),
            (options.Timeout, options.MaxBodyBytes, options.MaxDecompressedBytes, options.MaxRedirects));
        Assert.True(options.BlockPrivateAddresses);
        Assert.Empty(options.AllowedNetworks);
        Assert.Empty(options.AllowedHosts);
    }
}
