using AlertBot.Testing.Telegram;
using Telegram.Bot;
using Telegram.Bot.Exceptions;

namespace AlertBot.Telegram.Tests;

/// <summary>
/// The fake's getUpdates conflicts are Telegram's (tdlib/telegram-bot-api, Client::do_get_updates and
/// abort_long_poll), checked with the real Telegram.Bot client: the last poller wins and the one it replaced hears 409.
/// </summary>
public sealed class FakeTelegramConflictTests
{
    [Fact]
    public async Task A_newer_long_poll_ends_the_one_in_flight_which_is_answered_409()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        var client = Client(fake);

        var older = client.GetUpdates(timeout: 10);
        await WaitForLongPollAsync(fake, older);
        var newer = client.GetUpdates(timeout: 1);

        var conflict = await Assert.ThrowsAsync<ApiRequestException>(() => older);
        Assert.Equal(409, conflict.ErrorCode);
        Assert.Contains("terminated by other getUpdates request", conflict.Message, StringComparison.Ordinal);
        Assert.Empty(await newer);
        Assert.Single(fake.TerminatedPolls);
    }

    [Fact]
    public async Task Setting_a_webhook_ends_the_long_poll_in_flight_and_refuses_the_next()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        var client = Client(fake);

        var poll = client.GetUpdates(timeout: 10);
        await WaitForLongPollAsync(fake, poll);
        await client.SetWebhook("https://bot.example.com/hook");

        var ended = await Assert.ThrowsAsync<ApiRequestException>(() => poll);
        Assert.Equal(409, ended.ErrorCode);
        Assert.Contains("terminated by setWebhook request", ended.Message, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<ApiRequestException>(() => client.GetUpdates(timeout: 1));
        Assert.Contains("webhook is active", refused.Message, StringComparison.Ordinal);
    }

    private static TelegramBotClient Client(FakeTelegramServer fake) =>
        new(new TelegramBotClientOptions(fake.Token, fake.BaseUrl) { RetryThreshold = 0 });

    // Until the fake holds the poll, a later call could arrive first and nothing would be replaced: waited for on the
    // fake's own state, not slept on.
    private static async Task WaitForLongPollAsync(FakeTelegramServer fake, Task poll)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!fake.HasLongPollInFlight)
        {
            Assert.False(poll.IsCompleted, "the long poll answered before it was parked");
            await Task.Delay(10, timeout.Token);
        }
    }
}
