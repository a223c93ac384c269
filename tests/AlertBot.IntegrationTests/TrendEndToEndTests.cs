using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Testing.Feeds;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace AlertBot.IntegrationTests;

/// <summary>
/// /trend through the real pipeline: items fed by a loopback feed over two days are counted per term and hour as they
/// are matched, and the chart and totals /trend answers with show exactly those counts.
/// </summary>
public sealed class TrendEndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);

    private LoopbackFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void Serve(params SampleItem[] items) =>
        _server.Set("/feed", LoopbackResponse.Text(SampleFeeds.Rss("Wire", [new SampleItem("Old", "https://old.example/1", "Nothing.", Day.AddDays(-3)), .. items])));

    private static SampleItem Item(int n, string title, string body) =>
        new(title, $"https://wire.example/{n}", body, Day.AddMinutes(n));

    private static Task<CommandReply> TrendAsync(PipelineHarness sut, string command) =>
        sut.Services.GetRequiredService<ICommandProcessor>().ExecuteAsync(
            command, new CommandContext(new ChannelRef(sut.Sink.Platform, "t"), "t", "1", UserIsAdmin: false, IsPrivate: false), CancellationToken.None);

    internal static void AssertIsAChart(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal((800, 400), (bitmap.Width, bitmap.Height));
        var colours = new HashSet<uint>();
        for (var y = 0; y < bitmap.Height; y += 3)
        {
            for (var x = 0; x < bitmap.Width; x += 3)
            {
                colours.Add((uint)bitmap.GetPixel(x, y));
            }
        }

        Assert.True(colours.Count > 10, $"The chart has only {colours.Count} colours: it is blank.");
    }

    [Fact]
    public async Task Trend_charts_the_items_matched_per_term_and_its_totals_match_what_was_fed()
    {
        Serve();
        await using var sut = await PipelineHarness.StartAsync((_server.Url("/feed"), 0));
        await sut.AddChannelAsync("t", "Houthis", "Red Sea");
        await sut.PollAllAsync(); // baseline

        // Day one: two items name the Houthis (one of them also the Red Sea), one an unrelated story.
        var first = new[]
        {
            Item(1, "Houthis claim drone launch", "Ansar Allah said it launched drones."),
            Item(2, "Houthis strike tanker in the Red Sea", "The Houthis hit a tanker."),
            Item(3, "Markets rally", "Stocks rose."),
        };
        Serve(first);
        await sut.PollAllAsync();

        // Day two: one more item naming the Red Sea only.
        sut.Time.Advance(TimeSpan.FromDays(1));
        Serve([.. first, Item(4, "Shipping slows in the Red Sea", "Insurers raised premiums.")]);
        await sut.PollAllAsync();
        await sut.DeliverAsync();

        var week = await TrendAsync(sut, "/trend");
        Assert.False(week.IsError, week.Text);
        Assert.StartsWith("Trend, last 7d: Houthis 2, Red Sea 2 matched items.\nTop stories:\n", week.Text, StringComparison.Ordinal);
        Assert.Contains("Houthis strike tanker in the Red Sea (1 outlet, ", week.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Markets rally", week.Text, StringComparison.Ordinal);
        Assert.Equal("trend-7d.png", week.Image!.FileName);
        AssertIsAChart(week.Image.Png);

        var today = await TrendAsync(sut, "/trend \"Red Sea\" 24h");
        Assert.StartsWith("Trend, last 24h: Red Sea 1 matched items.", today.Text, StringComparison.Ordinal);
        AssertIsAChart(today.Image!.Png);

        var unknown = await TrendAsync(sut, "/trend Hezbollah");
        Assert.True(unknown.IsError);
        Assert.Null(unknown.Image);
    }
}
