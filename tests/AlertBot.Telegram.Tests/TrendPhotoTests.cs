using System.Globalization;
using AlertBot.Core.Actions;
using AlertBot.Core.Channels;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using AlertBot.Testing.Telegram;
using SkiaSharp;

namespace AlertBot.Telegram.Tests;

/// <summary>/trend answers with a photo (multipart sendPhoto) that the fake Bot API accepts, captioned with the totals.</summary>
public sealed class TrendPhotoTests
{
    private const long Group = -100400;

    [Fact]
    public async Task Trend_arrives_as_a_png_photo_replying_to_the_command_with_the_totals_as_caption()
    {
        using var db = await TempSqliteStore.CreateAsync();
        await using var fake = await FakeTelegramServer.StartAsync();
        await using var host = TelegramTestHost.Create(fake, db.Store);
        var now = DateTimeOffset.UtcNow;
        var channel = await db.Store.EnsureChannelAsync(new ChannelRef(Platforms.Telegram, Group.ToString(CultureInfo.InvariantCulture)), "Test group", now, CancellationToken.None);
        await db.Store.AddWatchTermAsync(channel.Id, "Houthis", now, CancellationToken.None);
        var feed = await db.Store.UpsertFeedAsync(new FeedDefinition("https://feed.example/rss", "Feed", TimeSpan.FromMinutes(5)), now, CancellationToken.None);
        await db.Store.CommitPollAsync(
            new PollCommit(feed.Id, [], [], new FeedValidators(null, null), now)
            {
                TermHits = [new TermHourCount(channel.Id, "Houthis", AlertActionPlanner.HourOf(now), 3), new TermHourCount(channel.Id, "Houthis", AlertActionPlanner.HourOf(now.AddDays(-2)), 4)],
            },
            CancellationToken.None);
        await host.StartReceiverAsync();

        fake.SendText(Group, 5, "/trend");
        var photo = await fake.WaitForPhotoAsync(Group);

        Assert.Equal("trend-7d.png", photo.FileName);
        Assert.StartsWith("Trend, last 7d: Houthis 7 matched items.", photo.Caption, StringComparison.Ordinal);
        Assert.NotNull(photo.ReplyTo);
        using var bitmap = SKBitmap.Decode(photo.Content);
        Assert.Equal((800, 400), (bitmap.Width, bitmap.Height));
        Assert.True(Enumerable.Range(0, 100).Select(i => bitmap.GetPixel(i * 8, i * 4)).Distinct().Count() > 3, "the chart is blank");
    }
}
