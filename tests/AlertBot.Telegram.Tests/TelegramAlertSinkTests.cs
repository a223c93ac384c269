using System.Globalization;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Matching;
using AlertBot.Core.Summaries;
using AlertBot.Testing.Telegram;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Telegram.Tests;

public sealed class TelegramAlertSinkTests
{
    private static readonly AlertMessage Sample = new()
    {
        Title = "Qaani <visits> Baghdad & \"meets\" militia leaders",
        Link = "https://news.example/a?x=1&y=\"2\"",
        Source = "Wire <News>",
        PublishedAt = new DateTimeOffset(2026, 11, 27, 7, 30, 0, TimeSpan.Zero),
        Sentences = ["Quds Force chief Esmail Ghaani arrived in Baghdad on Monday.", "He met <Kataib> leaders & officials."],
        Matches = [new MatchExplanation("Qaani", "Ghaani", MatchField.Body, "Quds Force chief Esmail Ghaani arrived in Baghdad on Monday.")],
    };

    private static OutboxEntry Entry(long chatId, AlertMessage message, long id = 1) => new(
        id,
        ChannelId: 7,
        new ChannelRef(Platforms.Telegram, chatId.ToString(CultureInfo.InvariantCulture)),
        "url:" + id.ToString(CultureInfo.InvariantCulture),
        message,
        Attempts: 0,
        DateTimeOffset.UnixEpoch,
        DateTimeOffset.UnixEpoch);

    private static AlertMessage Numbered(int n) => Sample with { Title = "Alert " + n.ToString(CultureInfo.InvariantCulture) };

    [Fact]
    public async Task An_alert_arrives_as_html_that_telegram_parses_into_the_expected_text()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);

        var result = await host.Sink.DeliverAsync(Entry(-100200, Sample), CancellationToken.None);

        var delivered = Assert.IsType<DeliveryResult.Delivered>(result);
        var sent = Assert.Single(fake.SentTo(-100200));
        Assert.Equal(sent.MessageId.ToString(CultureInfo.InvariantCulture), delivered.PlatformMessageId);
        Assert.Null(delivered.MovedTo);
        Assert.Equal("HTML", sent.ParseMode, ignoreCase: true);
        Assert.Equal(
            "Qaani <visits> Baghdad & \"meets\" militia leaders\nWire <News> · 2026-11-27 07:30 UTC\n\n" +
            "Quds Force chief Esmail Ghaani arrived in Baghdad on Monday.\nHe met <Kataib> leaders & officials.\n\n" +
            "Matched:\n• Qaani as “Ghaani” in the text\n\nRead the article",
            sent.PlainText);
        Assert.StartsWith("<b><a href=\"https://news.example/a?x=1&amp;y=%222%22\">Qaani &lt;visits&gt; Baghdad &amp; \"meets\"", sent.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_burst_of_200_alerts_to_10_chats_meets_every_limit_and_keeps_each_chats_order()
    {
        // Lowered limits keep the test short; the fake enforces exactly what the client is configured for.
        var limits = new FakeTelegramLimits(TimeSpan.FromMilliseconds(20), 8, TimeSpan.FromMilliseconds(400), 15, TimeSpan.FromMilliseconds(100));
        await using var fake = await FakeTelegramServer.StartAsync(limits: limits);
        await using var host = TelegramTestHost.Create(fake);
        long[] chats = [-1001, -1002, -1003, -1004, -1005, -1006, 501, 502, 503, 504];

        // As the delivery service does: chats in parallel, each chat's alerts one after another.
        var results = await Task.WhenAll(chats.Select(async chat =>
        {
            var outcomes = new List<DeliveryResult>();
            for (var n = 0; n < 20; n++)
            {
                outcomes.Add(await host.Sink.DeliverAsync(Entry(chat, Numbered(n), n), CancellationToken.None));
            }

            return outcomes;
        }));

        Assert.All(results.SelectMany(r => r), r => Assert.IsType<DeliveryResult.Delivered>(r));
        Assert.Equal(0, fake.LimitRejections);
        Assert.Equal(200, fake.Sent.Count);
        foreach (var chat in chats)
        {
            var titles = fake.SentTo(chat).Select(m => m.PlainText.Split('\n')[0]).ToArray();
            Assert.Equal(Enumerable.Range(0, 20).Select(n => "Alert " + n.ToString(CultureInfo.InvariantCulture)), titles);
        }
    }

    [Fact]
    public async Task A_429_is_a_retry_after_the_servers_wait_and_the_chat_is_held_back_until_then()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: new FakeTelegramLimits(TimeSpan.Zero, 100, TimeSpan.FromSeconds(1), 100, TimeSpan.FromSeconds(1)));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = TelegramTestHost.Create(fake, time: time);
        fake.Inject429(-300, times: 2, retryAfterSeconds: 7);

        var first = await host.Sink.DeliverAsync(Entry(-300, Sample), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.Retry>(first);
        Assert.Equal(TimeSpan.FromSeconds(7), retry.After);
        Assert.Contains("429", retry.Reason, StringComparison.Ordinal);

        // The next attempt waits in our limiter, not on the server, until retry_after has passed. The send runs to the
        // limiter's wait before DeliverAsync returns, and only the (fake, standing) clock can end that wait: no sleep.
        var second = host.Sink.DeliverAsync(Entry(-300, Sample), CancellationToken.None);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, fake.CallCount("sendMessage"));
        time.Advance(TimeSpan.FromSeconds(7));
        Assert.IsType<DeliveryResult.Retry>(await second.WaitAsync(TimeSpan.FromSeconds(10)));

        time.Advance(TimeSpan.FromSeconds(7));
        var third = await host.Sink.DeliverAsync(Entry(-300, Sample), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.IsType<DeliveryResult.Delivered>(third);
        Assert.Single(fake.SentTo(-300));

        // Other chats were never held back by this one's penalty.
        Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(Entry(-301, Sample), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_403_means_the_channel_is_gone()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);
        fake.Forbid(-400, "Forbidden: bot was kicked from the supergroup chat");

        var result = await host.Sink.DeliverAsync(Entry(-400, Sample), CancellationToken.None);

        var gone = Assert.IsType<DeliveryResult.ChannelGone>(result);
        Assert.Contains("kicked", gone.Reason, StringComparison.Ordinal);
        Assert.Empty(fake.Sent);
    }

    [Fact]
    public async Task A_group_that_became_a_supergroup_gets_the_message_at_its_new_id_and_the_move_is_reported()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);
        fake.Migrate(-555, -1001234567890);

        var result = await host.Sink.DeliverAsync(Entry(-555, Sample), CancellationToken.None);

        var delivered = Assert.IsType<DeliveryResult.Delivered>(result);
        Assert.Equal(new ChannelRef(Platforms.Telegram, "-1001234567890"), delivered.MovedTo);
        Assert.Empty(fake.SentTo(-555));
        var sent = Assert.Single(fake.SentTo(-1001234567890));
        Assert.Equal(sent.MessageId.ToString(CultureInfo.InvariantCulture), delivered.PlatformMessageId);
    }

    [Fact]
    public async Task Other_client_errors_and_unreachable_servers_are_retries_with_a_reason()
    {
        var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);

        var badChat = await host.Sink.DeliverAsync(Entry(-1, Sample) with { Channel = new ChannelRef(Platforms.Telegram, "@no_such_channel") }, CancellationToken.None);
        var notFound = Assert.IsType<DeliveryResult.Retry>(badChat);
        Assert.Contains("400", notFound.Reason, StringComparison.Ordinal);

        await fake.DisposeAsync();
        var down = await host.Sink.DeliverAsync(Entry(-600, Sample), CancellationToken.None);
        Assert.IsType<DeliveryResult.Retry>(down);
        Assert.DoesNotContain(fake.Token.Split(':')[1], host.Logs.AllWritten, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ok_answer_whose_result_the_library_cannot_read_is_delivered_without_a_message_id()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);
        fake.AnswerUnreadably("sendMessage");

        var result = await host.Sink.DeliverAsync(Entry(801, Sample), CancellationToken.None);

        Assert.Equal(new DeliveryResult.Delivered(null), result);
        Assert.Single(fake.SentTo(801));
        Assert.Contains("could not be read", host.Logs.AllWritten, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_is_a_rejected_retry_a_server_error_a_plain_retry_and_a_lost_answer_an_unknown_outcome()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake, settings: new Dictionary<string, string?> { ["AlertBot:Telegram:RequestTimeout"] = "00:00:01" });

        fake.FailNext("sendMessage", 400, "Bad Request: can't parse entities");
        var refused = Assert.IsType<DeliveryResult.Retry>(await host.Sink.DeliverAsync(Entry(802, Sample), CancellationToken.None));
        fake.FailNext("sendMessage", 500, "Internal Server Error");
        var serverError = Assert.IsType<DeliveryResult.Retry>(await host.Sink.DeliverAsync(Entry(802, Sample), CancellationToken.None));
        fake.Faults = new Testing.Faults.FaultInjector(seed: 1, rate: 1) { HangFor = TimeSpan.FromSeconds(30) };
        var lost = new List<DeliveryResult>();
        for (var i = 0; i < 5; i++)
        {
            // One of each kind in turn: 502, 429, held past the deadline, cut before, cut after.
            lost.Add(await host.Sink.DeliverAsync(Entry(803 + i, Sample), CancellationToken.None));
        }

        Assert.True(refused.Rejected);
        Assert.Contains("400", refused.Reason, StringComparison.Ordinal);
        Assert.False(serverError.Rejected);
        Assert.Equal(
            [typeof(DeliveryResult.Retry), typeof(DeliveryResult.Retry), typeof(DeliveryResult.Unknown), typeof(DeliveryResult.Unknown), typeof(DeliveryResult.Unknown)],
            lost.Select(r => r.GetType()));
        Assert.All(lost.OfType<DeliveryResult.Retry>(), r => Assert.False(r.Rejected));
    }

    [Fact]
    public async Task A_chat_id_that_is_not_telegrams_is_reported_gone_without_a_call()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);

        var result = await host.Sink.DeliverAsync(Entry(1, Sample) with { Channel = new ChannelRef(Platforms.Telegram, "not-a-chat") }, CancellationToken.None);

        Assert.IsType<DeliveryResult.ChannelGone>(result);
        Assert.Equal(0, fake.CallCount("sendMessage"));
    }

    [Fact]
    public async Task A_huge_alert_is_shortened_to_fit_and_telegram_accepts_it()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);
        var huge = Sample with
        {
            Title = string.Concat(Enumerable.Repeat("Title & <tag> ", 100)),
            Sentences = [string.Concat(Enumerable.Repeat("Houthis & allies <fire> at ships. ", 200)), "Second sentence."],
        };

        var result = await host.Sink.DeliverAsync(Entry(700, huge), CancellationToken.None);

        Assert.IsType<DeliveryResult.Delivered>(result);
        var sent = Assert.Single(fake.SentTo(700));
        Assert.InRange(sent.PlainText.Length, 3000, 4096);
        Assert.Contains("Read the article", sent.PlainText, StringComparison.Ordinal);
        Assert.Contains("…", sent.PlainText, StringComparison.Ordinal);
    }
}
