using AlertBot.Core.Stories;
using AlertBot.Testing.Stories;

namespace AlertBot.Core.Tests.Stories;

public sealed class StoryMatcherTests
{
    private static StoryMatcher CreateSut() => new(new StoryOptions());

    private static StoryFingerprint Print(string title, string link, string body) => StoryFingerprint.Of(WireStories.Item(title, link, body));

    [Fact]
    public void Five_syndicated_copies_with_different_links_titles_and_small_edits_are_one_story()
    {
        var sut = CreateSut();
        var copies = WireStories.QaaniCopies.Select(c => Print(c.Title, c.Link, c.Body)).ToList();

        for (var i = 0; i < copies.Count; i++)
        {
            for (var j = 0; j < copies.Count; j++)
            {
                Assert.True(sut.SameStory(copies[i], copies[j]), $"copy {i} and copy {j} should be one story: {copies[i]} / {copies[j]}");
            }
        }
    }

    [Fact]
    public void Different_stories_about_the_same_actors_on_the_same_day_stay_apart()
    {
        var sut = CreateSut();
        var visit = WireStories.QaaniCopies.Select(c => Print(c.Title, c.Link, c.Body)).ToList();
        var sanctions = Print(WireStories.QaaniSanctions.Title, WireStories.QaaniSanctions.Link, WireStories.QaaniSanctions.Body);
        var drone = Print(WireStories.MilitiaDroneAttack.Title, WireStories.MilitiaDroneAttack.Link, WireStories.MilitiaDroneAttack.Body);

        foreach (var copy in visit)
        {
            Assert.False(sut.SameStory(copy, sanctions), $"{copy} vs {sanctions}");
            Assert.False(sut.SameStory(copy, drone), $"{copy} vs {drone}");
        }

        Assert.False(sut.SameStory(sanctions, drone));
    }

    [Fact]
    public void The_same_canonical_url_is_the_same_story_whatever_the_text()
    {
        var a = Print("First headline", "https://news.example/a?utm_source=rss#top", "One text.");
        var b = Print("A rewritten headline", "https://NEWS.example/a", "Another text entirely.");

        Assert.True(CreateSut().SameStory(a, b));
    }

    [Fact]
    public void A_short_generic_title_alone_does_not_make_one_story()
    {
        var a = Print("Live updates", "https://news.example/live-1", WireStories.QaaniSanctions.Body);
        var b = Print("Live updates", "https://news.example/live-2", WireStories.MilitiaDroneAttack.Body);

        Assert.False(CreateSut().SameStory(a, b));
    }

    [Fact]
    public void Title_only_items_join_by_equal_title_but_are_never_hashed_together()
    {
        var a = Print("Story 17: Houthis strike a ship in the Red Sea", "https://news.example/17", "Details follow.");
        var b = Print("Story 18: Houthis strike a ship in the Red Sea", "https://news.example/18", "Details follow.");
        var c = Print("UPDATE: Story 17: Houthis strike a ship in the Red Sea - Reuters", "https://other.example/x", "");

        Assert.Equal(StoryText.NoHash, a.SimHash);
        Assert.False(CreateSut().SameStory(a, b));
        Assert.True(CreateSut().SameStory(a, c));
    }

    [Theory]
    [InlineData("UPDATE: Houthis fire missiles at tanker in Red Sea - Reuters", "houthis fire missiles at tanker in red sea")]
    [InlineData("LIVE: Houthis fire missiles at tanker in Red Sea | Al Jazeera", "houthis fire missiles at tanker in red sea")]
    [InlineData("Qa’ani visits Baghdad — The National", "qaani visits baghdad the national")]
    [InlineData("Iran's Qaani makes surprise visit to Baghdad — The National", "irans qaani makes surprise visit to baghdad")]
    [InlineData("Iran - US talks resume in Muscat", "iran us talks resume in muscat")]
    [InlineData("Réunion à Beyrouth: le Hezbollah répond", "reunion a beyrouth le hezbollah repond")]
    public void Title_keys_fold_case_diacritics_punctuation_prefixes_and_outlet_suffixes(string title, string expected) =>
        Assert.Equal(expected, StoryText.TitleKey(title));

    [Theory]
    [InlineData(0.80, 0.70, 19)]
    [InlineData(0.80, 0.80, 12)]
    [InlineData(0.75, 0.90, 16)]
    public void No_pair_of_hashes_further_apart_than_MaxDistance_is_one_story_so_a_store_lookup_bounded_by_it_misses_nothing(
        double similarity, double related, int expected)
    {
        var sut = new StoryMatcher(new StoryOptions { SimilarityThreshold = similarity, RelatedTitleSimilarityThreshold = related });
        Assert.Equal(expected, sut.MaxDistance);

        // Same title words (the related-title rule applies), different links and titles: only the hash decides.
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var hash = random.NextInt64() | 1;
            var distance = random.Next(0, 40);
            var other = hash;
            foreach (var bit in Enumerable.Range(0, 64).OrderBy(_ => random.Next()).Take(distance))
            {
                other ^= 1L << bit;
            }

            var a = new StoryFingerprint("https://a.example/1", "qaani visits baghdad today", hash);
            var b = new StoryFingerprint("https://b.example/2", "qaani visits baghdad again", other == 0 ? 1 : other);
            Assert.Equal(b.Distance(a) <= sut.MaxDistance, sut.SameStory(a, b));
        }
    }
}
