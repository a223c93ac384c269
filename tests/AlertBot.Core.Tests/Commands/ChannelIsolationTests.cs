using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Summaries;
using AlertBot.Storage;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Core.Tests.Commands;

/// <summary>Channel A can neither read nor change channel B, whatever ids it types.</summary>
public sealed class ChannelIsolationTests
{
    private static readonly CommandContext A = new(new ChannelRef(Platforms.Telegram, "-1001"), "A", "1", UserIsAdmin: true, IsPrivate: false);
    private static readonly CommandContext B = new(new ChannelRef(Platforms.Telegram, "-2002"), "B", "2", UserIsAdmin: true, IsPrivate: false);

    private const string BOnlyFeed = "https://b-only.example/rss";

    private readonly SqliteAlertStore _store = TestStores.InMemory();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    private CommandProcessor CreateSut() => TestProcessors.Create(_store, time: _time);

    private async Task<string> Run(string text, CommandContext context) =>
        (await CreateSut().ExecuteAsync(text, context, default)).Text;

    private async Task<(Channel Channel, string[] Terms, string[] Feeds)> StateOf(CommandContext context)
    {
        var channel = (await _store.GetChannelAsync(context.Channel, default))!;
        return (
            channel,
            (await _store.ListWatchTermsAsync(channel.Id, default)).Select(t => t.Text).ToArray(),
            (await _store.ListChannelFeedsAsync(channel.Id, default)).Select(f => f.Url).ToArray());
    }

    private async Task<long> BFeedIdAsync() => (await _store.FindFeedByUrlAsync(BOnlyFeed, default))!.Id;

    private async Task SetUpAsync()
    {
        await Run("/subscribe", A);
        await Run("/subscribe", B);
        await Run("/watch add Hezbollah", B);
        await Run("/watch remove Qaani", B);
        await Run($"/feeds add {BOnlyFeed}", B);
        var b = (await StateOf(B)).Channel;
        await _store.EnqueueOneAsync(b.Id, "url:b1", new AlertMessage { Title = "B's alert", Source = "s" }, _time.GetUtcNow());
        await _store.EnqueueOneAsync(b.Id, "url:b2", new AlertMessage { Title = "B's alert", Source = "s" }, _time.GetUtcNow());
    }

    [Fact]
    public async Task Feeds_remove_with_the_id_of_Bs_feed_detaches_nothing_from_B()
    {
        await SetUpAsync();
        var before = await StateOf(B);

        var reply = await Run($"/feeds remove {await BFeedIdAsync()}", A);

        Assert.Contains("does not read a feed", reply, StringComparison.Ordinal);
        Assert.Equal(before.Feeds, (await StateOf(B)).Feeds);
        Assert.Contains(BOnlyFeed, (await StateOf(B)).Feeds);
    }

    [Fact]
    public async Task Reads_from_A_never_show_Bs_terms_feeds_or_queue()
    {
        await SetUpAsync();

        var list = await Run("/watch list", A);
        var feeds = await Run("/feeds list", A);
        var status = await Run("/status", A);
        var test = await Run("/test Hezbollah fighters crossed the border.", A);

        Assert.DoesNotContain("Hezbollah", list, StringComparison.Ordinal);
        Assert.DoesNotContain("b-only", feeds, StringComparison.Ordinal);
        Assert.DoesNotContain("b-only", status, StringComparison.Ordinal);
        Assert.Contains("Watch terms: 3 of", status, StringComparison.Ordinal);
        Assert.Contains("Alerts queued: 0", status, StringComparison.Ordinal);
        Assert.Contains("Feeds: 2", status, StringComparison.Ordinal);
        Assert.Contains("Nothing would alert", test, StringComparison.Ordinal);

        // And B sees its own.
        Assert.Contains("Alerts queued: 2", await Run("/status", B), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changes_made_in_A_never_touch_B()
    {
        await SetUpAsync();
        var before = await StateOf(B);

        Assert.Contains("not on the watchlist", await Run("/watch remove Hezbollah", A), StringComparison.Ordinal);
        await Run("/watch add Hamas", A);
        await Run("/feeds add https://a-only.example/rss", A);
        await Run("/pause", A);
        await Run("/unsubscribe", A);

        var after = await StateOf(B);
        Assert.Equal(before.Terms, after.Terms);
        Assert.Equal(before.Feeds, after.Feeds);
        Assert.Equal(before.Channel, after.Channel);
        Assert.True(after.Channel.Active);
        Assert.False(after.Channel.Paused);
        Assert.False((await StateOf(A)).Channel.Active);
    }
}
