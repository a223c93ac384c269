using AlertBot.Core.Alerts;
using AlertBot.Core.Digests;
using AlertBot.Core.Matching;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;

namespace AlertBot.Core.Tests.Digests;

public sealed class DigestBuilderTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 8, 10, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(DigestMode.Hourly, "2026-11-27T08:10:00Z", "00:00", "2026-11-27T09:00:00Z")]
    [InlineData(DigestMode.Hourly, "2026-11-27T08:00:00Z", "00:00", "2026-11-27T09:00:00Z")]
    [InlineData(DigestMode.Daily, "2026-11-27T08:10:00Z", "00:00", "2026-11-28T00:00:00Z")]
    [InlineData(DigestMode.Daily, "2026-11-27T08:10:00Z", "18:00", "2026-11-27T18:00:00Z")]
    [InlineData(DigestMode.Daily, "2026-11-27T18:00:00Z", "18:00", "2026-11-28T18:00:00Z")]
    public void A_period_ends_at_the_next_hour_or_daily_closing_time(DigestMode mode, string at, string dailyAt, string expected) =>
        Assert.Equal(
            DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            DigestBuilder.PeriodEnd(mode, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Parse(dailyAt, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void A_digest_lists_the_held_stories_in_order_with_terms_and_counts_what_does_not_fit()
    {
        var held = Enumerable.Range(1, 4).Select(i => new HeldAlert(i, 7, $"k{i}", new AlertMessage
        {
            Title = $"Story {i}",
            Source = "Wire",
            Link = $"https://news.example/{i}",
            Matches = [new MatchExplanation("Houthis", "Huthi", MatchField.Body, "s"), new MatchExplanation("houthis", "Houthi", MatchField.Title, "t")],
            AlsoSources = i == 1 ? [new AlertSource("Reuters", null)] : [],
        }, At)).Reverse().ToList();

        var digest = DigestBuilder.Build(7, At, held, maxStories: 3);

        Assert.Equal(OutboxKind.Digest, digest.Kind);
        Assert.Equal(7, digest.ChannelId);
        Assert.Equal("Digest: 4 stories until 2026-11-27 08:10 UTC", digest.Message.Title);
        Assert.Equal(["Story 1", "Story 2", "Story 3"], digest.Message.Digest.Select(d => d.Title));
        Assert.Equal(["Houthis"], digest.Message.Digest[0].Terms);
        Assert.Equal(["Reuters"], digest.Message.Digest[0].AlsoSources);
        Assert.Equal(["…and 1 more."], digest.Message.Sentences);
        Assert.Contains("• Story 1\n  Wire (also: Reuters) · matched: Houthis\n  https://news.example/1\n", DigestBuilder.ToPlainText(digest.Message), StringComparison.Ordinal);
    }

    [Fact]
    public void Joining_a_story_names_each_outlet_once()
    {
        var message = new AlertMessage { Title = "T", Source = "AP" };

        var once = StoryMessages.WithSource(message, new AlertSource("Reuters", null));
        var twice = StoryMessages.WithSource(once, new AlertSource("reuters", null));
        var self = StoryMessages.WithSource(once, new AlertSource("AP", null));

        Assert.Same(once, twice);
        Assert.Same(once, self);
        Assert.Equal("also: Reuters", StoryMessages.AlsoLine(once));
        Assert.Equal("", StoryMessages.AlsoLine(message));
    }
}
