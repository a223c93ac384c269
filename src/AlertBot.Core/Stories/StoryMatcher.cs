namespace AlertBot.Core.Stories;

/// <summary>
/// Decides whether two fingerprints are one story. Both the title and the text have a say, so two different stories
/// about the same actors on the same day (same names, different events) stay apart:
/// <list type="number">
/// <item>the same canonical URL is the same story;</item>
/// <item>the same normalised title of four words or more is the same story (short titles such as "Live" or
/// "News in brief" are too generic to decide alone);</item>
/// <item>texts whose SimHash similarity reaches <see cref="StoryOptions.SimilarityThreshold"/> are the same story
/// (only texts with a lede of <see cref="StoryText.MinLedeWords"/> words or more are hashed: title-only items join by
/// link or title alone);</item>
/// <item>related titles (shared words) with similarity reaching <see cref="StoryOptions.RelatedTitleSimilarityThreshold"/>
/// are the same story.</item>
/// </list>
/// </summary>
public sealed class StoryMatcher(StoryOptions options)
{
    private const int MinTitleWords = 4;

    /// <summary>
    /// The most differing SimHash bits any rule accepts: what a store's candidate lookup must reach so that no
    /// candidate this matcher would join is left out.
    /// </summary>
    public int MaxDistance { get; } =
        (int)Math.Floor((64 * (1 - Math.Min(options.SimilarityThreshold, options.RelatedTitleSimilarityThreshold))) + 1e-9);

    public bool SameStory(StoryFingerprint a, StoryFingerprint b)
    {
        if (a.Url is not null && a.Url == b.Url)
        {
            return true;
        }

        if (a.TitleKey.Length > 0 && a.TitleKey == b.TitleKey && a.TitleKey.Count(c => c == ' ') + 1 >= MinTitleWords)
        {
            return true;
        }

        if (a.SimHash == StoryText.NoHash || b.SimHash == StoryText.NoHash)
        {
            return false;
        }

        var similarity = 1.0 - (a.Distance(b) / 64.0);
        if (similarity >= options.SimilarityThreshold)
        {
            return true;
        }

        return similarity >= options.RelatedTitleSimilarityThreshold && TitleOverlap(a.TitleKey, b.TitleKey) >= options.TitleOverlap;
    }

    /// <summary>Jaccard overlap of the titles' content words.</summary>
    public static double TitleOverlap(string titleKeyA, string titleKeyB)
    {
        var a = StoryText.TitleWords(titleKeyA);
        var b = StoryText.TitleWords(titleKeyB);
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }

        var shared = a.Count(b.Contains);
        return shared / (double)(a.Count + b.Count - shared);
    }
}
