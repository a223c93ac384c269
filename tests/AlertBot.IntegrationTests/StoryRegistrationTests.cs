using AlertBot.Core.Commands;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Stories;
using AlertBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>Both storage providers keep stories and digests, and the pipeline is whole either way.</summary>
public sealed class StoryRegistrationTests
{
    // Nothing here opens the database: services are only resolved.
    private static Microsoft.AspNetCore.Builder.WebApplication Build(string provider, string connectionString) =>
        AlertBotHost.CreateBuilder(HostMode.Command, TextWriter.Null, new Dictionary<string, string?>
        {
            ["AlertBot:Storage:Provider"] = provider,
            ["AlertBot:Storage:ConnectionString"] = connectionString,
            ["AlertBot:Console:Enabled"] = "false",
        }).Build();

    [Fact]
    public async Task Sqlite_keeps_stories_and_digests()
    {
        await using var host = Build("Sqlite", $"Data Source={Path.Combine(Path.GetTempPath(), "alertbot-unopened.db")}");
        var services = host.Services;

        Assert.NotNull(services.GetService<IStoryStore>());
        Assert.NotNull(services.GetRequiredService<PollService>());
    }

    [Fact]
    public async Task Postgres_keeps_stories_and_digests_and_builds_the_pipeline_and_commands()
    {
        await using var host = Build("Postgres", "Host=127.0.0.1;Port=1;Database=alertbot;Username=alertbot;Password=x");
        var services = host.Services;

        Assert.NotNull(services.GetService<IStoryStore>());
        Assert.NotNull(services.GetRequiredService<PollService>());
        Assert.NotNull(services.GetRequiredService<DeliveryService>());
        Assert.NotNull(services.GetRequiredService<ICommandProcessor>());
    }
}
