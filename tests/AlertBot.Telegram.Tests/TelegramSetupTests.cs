using System.Text;
using AlertBot.Core;
using AlertBot.Core.Alerts;
using AlertBot.Core.Commands;
using AlertBot.Core.Feeds;
using AlertBot.Storage;
using AlertBot.Telegram.Receiving;
using AlertBot.Testing.Telegram;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using AlertBot.Testing.Commands;

namespace AlertBot.Telegram.Tests;

public sealed class TelegramSetupTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddAlertBotTelegram(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Without_a_token_nothing_is_registered()
    {
        using var services = Build([]);

        Assert.Empty(services.GetServices<IAlertSink>());
        Assert.Empty(services.GetServices<IHostedService>());
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("123:has spaces")]
    [InlineData("abc:DEF")]
    public void A_malformed_token_fails_validation_naming_the_key_but_not_the_value(string token)
    {
        using var services = Build(new() { ["AlertBot:Telegram:Token"] = token });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TelegramOptions>>().Value);

        Assert.Contains("AlertBot:Telegram:Token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Webhook_mode_needs_an_https_url_and_a_secret()
    {
        using var services = Build(new() { ["AlertBot:Telegram:Token"] = FakeTelegramServer.DefaultToken, ["AlertBot:Telegram:Mode"] = "Webhook" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TelegramOptions>>().Value);

        Assert.Contains("AlertBot:Telegram:WebhookUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains("AlertBot:Telegram:WebhookSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_registers_everything_and_binds_the_limits()
    {
        using var services = Build(new() { ["AlertBot:Telegram:Token"] = " " + FakeTelegramServer.DefaultToken + "\n", ["AlertBot:Telegram:PerChatInterval"] = "00:00:02" });

        var options = services.GetRequiredService<IOptions<TelegramOptions>>().Value;
        Assert.Equal(FakeTelegramServer.DefaultToken, options.Token);
        Assert.Equal(TimeSpan.FromSeconds(2), options.PerChatInterval);
        Assert.Equal("telegram", Assert.Single(services.GetServices<IAlertSink>()).Platform);
    }

    [Fact]
    public async Task The_webhook_handler_checks_the_secret_before_accepting_an_update()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: new FakeTelegramLimits(TimeSpan.Zero, 100, TimeSpan.FromSeconds(1), 100, TimeSpan.FromSeconds(1)));
        await using var host = TelegramTestHost.Create(fake, settings: new Dictionary<string, string?>
        {
            ["AlertBot:Telegram:Mode"] = "Webhook",
            ["AlertBot:Telegram:WebhookUrl"] = "https://alerts.example/telegram",
            ["AlertBot:Telegram:WebhookSecret"] = "s3cret-Value_1",
        });
        await host.StartReceiverAsync();
        Assert.Equal("https://alerts.example/telegram", fake.WebhookUrl);
        var webhook = host.Services.GetRequiredService<TelegramWebhookHandler>();
        var update = fake.MessageJson(8, 8, "/help");
        var body = "{\"update_id\":1,\"message\":" + update.ToJsonString() + "}";
        Stream Body() => new MemoryStream(Encoding.UTF8.GetBytes(body));

        Assert.Equal(401, await webhook.HandleAsync(null, Body(), CancellationToken.None));
        Assert.Equal(401, await webhook.HandleAsync("s3cret-Value_2", Body(), CancellationToken.None));
        Assert.Equal(401, await webhook.HandleAsync("s3cret", Body(), CancellationToken.None));
        Assert.Equal(400, await webhook.HandleAsync("s3cret-Value_1", new MemoryStream("{not json"u8.ToArray()), CancellationToken.None));
        Assert.Empty(fake.Sent);

        Assert.Equal(200, await webhook.HandleAsync("s3cret-Value_1", Body(), CancellationToken.None));
        var reply = await fake.WaitForMessageAsync(m => m.ChatId == 8);
        Assert.Contains("/watch add", reply.PlainText, StringComparison.Ordinal);
        Assert.Equal(0, fake.CallCount("getUpdates"));
    }
}

public sealed class TelegramCompositionTests
{
    [Fact]
    public void The_adapter_composes_with_the_core_storage_and_command_registrations()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AlertBot:Telegram:Token"] = FakeTelegramServer.DefaultToken,
            ["AlertBot:Storage:ConnectionString"] = "Data Source=:memory:",
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddAlertBotCore(configuration)
            .AddAlertBotStorage(configuration)
            .AddAlertBotCommands(configuration)
            .AddAlertBotTelegram(configuration)
            .AddSingleton<IFeedReader, NoFeeds>() // AlertBot.Feeds' part, not under test here
            .AddSingleton<IFeedUrlValidator>(AnyFeedUrl.Instance);

        // Every dependency of every registration (sink, receiver, handler, processor) can be satisfied.
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.Contains(services, d => d.ServiceType == typeof(IAlertSink) && d.ImplementationFactory is not null);
        Assert.Contains(services, d => d.ImplementationType == typeof(TelegramUpdateReceiver));
    }

    private sealed class NoFeeds : IFeedReader
    {
        public Task<FeedReadResult> ReadAsync(string source, FeedValidators validators, CancellationToken cancellationToken) =>
            Task.FromResult<FeedReadResult>(new FeedReadResult.Failure(FeedErrorKind.NotFound, "no feeds in this test"));
    }
}
