using AlertBot.Core.Alerts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using AlertBot.Discord.Configuration;

namespace AlertBot.Discord.Tests.Configuration;

public sealed class DiscordOptionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAlertBotDiscord(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Bad_values_are_reported_by_key_and_the_token_is_never_echoed()
    {
        using var provider = Build(new()
        {
            ["AlertBot:Discord:BotToken"] = "Bot secret-token-value",
            ["AlertBot:Discord:ApiBaseUrl"] = "not a url",
            ["AlertBot:Discord:GlobalRequestsPerSecond"] = "0",
            ["AlertBot:Discord:DevelopmentGuildId"] = "my-guild",
            ["AlertBot:Discord:Webhooks:0"] = "https://discord.com/api/webhooks/1/hook-secret",
            ["AlertBot:Discord:Webhooks:1"] = "https://example.org/not-a-webhook/secret2",
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DiscordOptions>>().Value);

        Assert.Contains("AlertBot:Discord:ApiBaseUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains("AlertBot:Discord:GlobalRequestsPerSecond", error.Message, StringComparison.Ordinal);
        Assert.Contains("AlertBot:Discord:DevelopmentGuildId", error.Message, StringComparison.Ordinal);
        Assert.Contains("AlertBot:Discord:BotToken", error.Message, StringComparison.Ordinal);
        Assert.Contains("AlertBot:Discord:Webhooks:1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AlertBot:Discord:Webhooks:0", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_token_or_a_webhook_the_adapter_registers_no_sink()
    {
        using var provider = Build([]);

        Assert.DoesNotContain(provider.GetServices<IAlertSink>(), s => s.Platform == "discord");
        Assert.Empty(provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>());
    }

    [Fact]
    public void Webhooks_alone_register_the_sink_but_no_gateway()
    {
        using var provider = Build(new() { ["AlertBot:Discord:Webhooks:0"] = "https://discord.com/api/webhooks/1/abc" });

        Assert.Contains(provider.GetServices<IAlertSink>(), s => s.Platform == "discord");
        Assert.Empty(provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>());
    }
}
