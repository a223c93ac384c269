using System.Globalization;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Summaries;
using AlertBot.Telegram.Sending;
using AlertBot.Testing.Telegram;

namespace AlertBot.Telegram.Tests;

/// <summary>Story updates reach Telegram as editMessageText; highlights render as &lt;b&gt; with escaping.</summary>
public sealed class StoryEditTests
{
    private const long Chat = -100777;

    private static readonly AlertMessage Alert = new()
    {
        Title = "Qaani visits Baghdad",
        Link = "https://news.example/qaani",
        Source = "Associated Press",
        Sentences = ["Esmail Qaani met <Kataib> leaders & Qaani's aides."],
        Highlights = [new HighlightSpan(0, 7, 5), new HighlightSpan(0, 36, 5)],
    };

    private static OutboxEntry Entry(long id, AlertMessage message, OutboxKind kind = OutboxKind.Alert) => new(
        id, 7, new ChannelRef(Platforms.Telegram, Chat.ToString(CultureInfo.InvariantCulture)), $"k{id}", message, 0,
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, kind, kind == OutboxKind.Update ? 1 : null);

    private static AlertMessage Grown(params string[] outlets) =>
        Alert with { AlsoSources = [.. outlets.Select(o => new AlertSource(o, null))] };

    [Fact]
    public async Task Matched_words_are_bold_and_the_rest_is_escaped()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);

        await host.Sink.DeliverAsync(Entry(1, Alert), CancellationToken.None);

        var sent = Assert.Single(fake.SentTo(Chat));
        Assert.True(sent.Html.Contains("\n\nEsmail <b>Qaani</b> met &lt;Kataib&gt; leaders", StringComparison.Ordinal), sent.Html);
        Assert.Contains("\n\nEsmail <b>Qaani</b> met &lt;Kataib&gt; leaders &amp; <b>Qaani</b>'s aides.", sent.Html, StringComparison.Ordinal);
        Assert.Contains("Esmail Qaani met <Kataib> leaders & Qaani's aides.", sent.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_update_edits_the_posted_message_and_an_unchanged_one_is_done_too()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);
        var posted = Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(Entry(1, Alert), CancellationToken.None));

        var edited = await host.Sink.EditAsync(Entry(2, Grown("Reuters", "Al Jazeera"), OutboxKind.Update), posted.PlatformMessageId!, CancellationToken.None);
        var again = await host.Sink.EditAsync(Entry(3, Grown("Reuters", "Al Jazeera"), OutboxKind.Update), posted.PlatformMessageId!, CancellationToken.None);

        Assert.Equal(posted.PlatformMessageId, Assert.IsType<DeliveryResult.Delivered>(edited).PlatformMessageId);
        Assert.IsType<DeliveryResult.Delivered>(again);
        var message = Assert.Single(fake.SentTo(Chat));
        Assert.Contains("Associated Press\nalso: Reuters, Al Jazeera\n", message.PlainText, StringComparison.Ordinal);
        Assert.Single(fake.Edits);
        Assert.Equal(2, fake.CallCount("editMessageText"));
    }

    [Fact]
    public async Task A_message_that_cannot_be_edited_gets_a_short_follow_up()
    {
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake);

        var result = await host.Sink.EditAsync(Entry(2, Grown("Reuters"), OutboxKind.Update), "999", CancellationToken.None);

        Assert.True(result is DeliveryResult.Delivered, result.ToString());
        var followUp = Assert.Single(fake.SentTo(Chat));
        Assert.Equal("Qaani visits Baghdad\nalso: Reuters\n\nRead the article", followUp.PlainText);
    }

    [Fact]
    public void A_digest_lists_each_story_with_link_source_and_terms_within_the_limit()
    {
        var digest = new AlertMessage
        {
            Title = "Digest: 300 stories until 2026-11-27 10:00 UTC",
            Source = "AlertBot digest",
            Digest = [.. Enumerable.Range(1, 300).Select(i => new DigestEntry(
                $"Story <{i}>", "Wire & Co", $"https://news.example/{i}", ["Qaani", "Houthis"], null))],
        };

        var html = AlertHtmlRenderer.Render(digest);
        var parsed = TelegramHtmlChecker.Parse(html);

        Assert.Null(parsed.Error);
        Assert.True(parsed.Text.Length <= TelegramHtml.MaxMessageLength);
        Assert.Contains("<a href=\"https://news.example/1\">Story &lt;1&gt;</a>\nWire &amp; Co · matched: <b>Qaani, Houthis</b>", html, StringComparison.Ordinal);
        Assert.Contains("more stories in this digest.", parsed.Text, StringComparison.Ordinal);
    }
}
