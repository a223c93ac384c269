using AlertBot.Core.Channels;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Summaries;

namespace AlertBot.Storage.Tests;

/// <summary>Ready-made records for store tests.</summary>
public static class Samples
{
    public static readonly ChannelRef Telegram = new(Platforms.Telegram, "-1001234567890");
    public static readonly ChannelRef Discord = new(Platforms.Discord, "112233445566778899");

    public static FeedDefinition Feed(string name = "the-national") =>
        new($"https://example.test/{name}/rss.xml", name, TimeSpan.FromMinutes(5));

    public static AlertMessage Message(string title = "Qaani visits Baghdad") => new()
    {
        Title = title,
        Link = "https://example.test/news/qaani-iraq?x=1&y=\"2\"",
        Source = "The National",
        PublishedAt = new DateTimeOffset(2025, 3, 26, 14, 5, 30, 123, TimeSpan.FromHours(4)).AddTicks(4567),
        Sentences =
        [
            "Esmail Qaani, head of the IRGC's Quds Force, arrived in Baghdad on \"Wednesday\".",
            "قاآني التقى قادة الفصائل — 会谈 🚨",
        ],
        Matches =
        [
            new MatchExplanation("Qaani", "Qa'ani", MatchField.Title, "Qa'ani \\ visits"),
            new MatchExplanation("Houthis", "Ansar Allah", MatchField.Body, "Ansar Allah said\n\"no\"."),
        ],
    };

    public static async Task<(DapperAlertStore Store, long FeedId, long ChannelId)> FeedAndChannelAsync(TestDatabase db)
    {
        var store = await db.NewMigratedStoreAsync();
        var now = db.Time.GetUtcNow();
        var feed = await store.UpsertFeedAsync(Feed(), now, CancellationToken.None);
        var channel = await store.EnsureChannelAsync(Telegram, "Iraq desk", now, CancellationToken.None);
        await store.AttachFeedAsync(channel.Id, feed.Id, CancellationToken.None);
        return (store, feed.Id, channel.Id);
    }
}
