using AlertBot.Core.Configuration;

namespace AlertBot.Core.Stories;

/// <summary><c>AlertBot:Stories</c>: when two items from different feeds count as one story.</summary>
public sealed class StoryOptions
{
    public const string Section = "AlertBot:Stories";

    /// <summary>Off: every matching item alerts on its own, as before stories existed.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How far back an alert can absorb a later copy of its story.</summary>
    [Duration("00:01:00", "30.00:00:00")] public TimeSpan Window { get; set; } = TimeSpan.FromHours(48);

    /// <summary>
    /// SimHash similarity (1 − differing bits / 64) at or above which two texts are one story whatever their titles.
    /// Tuned on wire copy (tests/AlertBot.Core.Tests/Stories/WireStories.cs): syndicated copies with edits, teasers
    /// and rewritten headlines differ in at most 11 bits (0.83); different stories about the same actors on the same
    /// day in 26 or more (0.59 or less).
    /// </summary>
    [Between(0.5, 1.0)] public double SimilarityThreshold { get; set; } = 0.80;

    /// <summary>
    /// The lower similarity that suffices when the titles also share most of their words (a headline rewritten by
    /// one outlet over the same wire copy).
    /// </summary>
    [Between(0.5, 1.0)] public double RelatedTitleSimilarityThreshold { get; set; } = 0.70;

    /// <summary>Share of title words (Jaccard, without stop words) that makes two titles related.</summary>
    [Between(0.1, 1.0)] public double TitleOverlap { get; set; } = 0.4;
}
