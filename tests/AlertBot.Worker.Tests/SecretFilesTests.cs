using System.Collections;
using AlertBot.Worker.Hosting;
using Microsoft.Extensions.Configuration;

namespace AlertBot.Worker.Tests;

public sealed class SecretFilesTests : IDisposable
{
    private readonly string _secret = Path.GetTempFileName();

    public void Dispose() => File.Delete(_secret);

    private static IConfiguration Build(IDictionary environment) =>
        new ConfigurationBuilder().AddSecretFiles(environment).Build();

    [Fact]
    public void A_FILE_variable_sets_its_key_from_the_file_content_trimmed()
    {
        File.WriteAllText(_secret, "123456:from-a-docker-secret\n");
        var config = Build(new Hashtable { ["AlertBot__Telegram__Token_FILE"] = _secret, ["PATH"] = "/usr/bin" });
        Assert.Equal("123456:from-a-docker-secret", config["AlertBot:Telegram:Token"]);
        Assert.Null(config["PATH"]);
    }

    [Fact]
    public void Short_names_map_to_the_platform_tokens_with_or_without_FILE()
    {
        File.WriteAllText(_secret, "discord-secret");
        var config = Build(new Hashtable { ["TELEGRAM_BOT_TOKEN"] = "42:plain", ["DISCORD_BOT_TOKEN_FILE"] = _secret });
        Assert.Equal("42:plain", config["AlertBot:Telegram:Token"]);
        Assert.Equal("discord-secret", config["AlertBot:Discord:BotToken"]);
    }

    [Fact]
    public void An_unreadable_secret_file_names_the_variable_and_path_but_not_a_value()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-secret-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<InvalidOperationException>(() => Build(new Hashtable { ["AlertBot__Discord__BotToken_FILE"] = missing }));
        Assert.Contains("AlertBot__Discord__BotToken_FILE", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
