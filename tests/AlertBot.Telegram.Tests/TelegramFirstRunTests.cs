using AlertBot.Core.Diagnostics;
using AlertBot.Testing.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AlertBot.Telegram.Tests;

/// <summary>What an operator sees in the first minute with a token set: who the bot is, or that the token was refused.</summary>
public sealed class TelegramFirstRunTests
{
    [Fact]
    public async Task A_refused_token_makes_readyz_say_so_and_the_accepted_one_logs_who_the_bot_is()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);
        var probe = host.Services.GetServices<IReadinessProbe>().Single(p => p.Name == "telegram");

        // As the real Bot API answers a wrong or revoked token: every method, 401 Unauthorized.
        fake.FailNext("deleteWebhook", 401, "Unauthorized", times: 20);
        foreach (var hosted in host.Services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        try
        {
            await fake.WaitForCallAsync(c => c.Method == "deleteWebhook");
            await WaitUntilAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == 3303));
            var refused = await probe.CheckAsync(CancellationToken.None);
            Assert.False(refused.Ready);
            Assert.StartsWith("unauthorized: the token was refused", refused.Detail, StringComparison.Ordinal);

            // The token is accepted again (the operator fixed it): one line says who the bot is and what to do next.
            await fake.WaitForCallAsync(c => c.Method == "setMyCommands", TimeSpan.FromSeconds(30));
            await WaitUntilAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == 3301));
            var started = host.Logs.Entries.Single(e => e.EventId.Id == 3301);
            Assert.Equal($"Telegram: connected as @{fake.BotUsername}. Send /subscribe in a chat to start alerts.", started.Message);
            Assert.DoesNotContain("unauthorized", (await probe.CheckAsync(CancellationToken.None)).Detail, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var hosted in host.Services.GetServices<IHostedService>())
            {
                await hosted.StopAsync(CancellationToken.None);
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
