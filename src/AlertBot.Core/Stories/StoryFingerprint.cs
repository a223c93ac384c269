using System.Globalization;
using System.Numerics;
using System.Text;
using AlertBot.Core.Items;

namespace AlertBot.Core.Stories;

/// <summary>
/// What is kept of an item to recognise the same story elsewhere: its canonical link, its normalised title, and a
/// 64-bit SimHash over word shingles of its lede.
/// </summary>
/// <param name="Url">The canonical URL (see <see cref="ItemIdentity.CanonicalUrl"/>), or null.</param>
/// <param name="TitleKey">The title folded by <see cref="StoryText.TitleKey"/>.</param>
/// <param name="SimHash">See <see cref="StoryText.SimHash"/>; stored as a signed 64-bit integer by databases.</param>
public sealed record StoryFingerprint(string? Url, string TitleKey, long SimHash)
{
    public static StoryFingerprint Of(NewsItem item)
    {
        var url = item.Link is { Length: > 0 } link ? ItemIdentity.CanonicalUrl(link) : null;
        var titleKey = StoryText.TitleKey(item.Title);
        return new StoryFingerprint(url, titleKey, StoryText.SimHash(item.Text));
    }

    /// <summary>How many of the 64 SimHash bits differ.</summary>
    public int Distance(StoryFingerprint other) => BitOperations.PopCount((ulong)(SimHash ^ other.SimHash));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Url ?? "-"} \"{TitleKey}\" {SimHash:x16}");
}

/// <summary>The text folding and hashing behind <see cref="StoryFingerprint"/>. Pure functions.</summary>
public static class StoryText
{
    /// <summary>How many words of the body go into the hash: the lede is what syndicated copies share even when a feed
    /// carries only a teaser of the article.</summary>
    public const int LedeWords = 80;

    private const int ShingleSize = 3;

    /// <summary>Fewer body words than this and the text is not hashed.</summary>
    public const int MinLedeWords = 25;

    /// <summary>The hash of a text too short to hash.</summary>
    public const long NoHash = 0;

    // Labels newsrooms put in front of a headline; they change while the story does not.
    private static readonly string[] Prefixes =
    [
        "update", "updated", "updates", "live", "live updates", "breaking", "breaking news", "exclusive", "watch",
        "analysis", "video", "just in", "developing", "urgent", "correction", "corrected", "factbox", "explainer",
    ];

    private static readonly char[] SuffixSeparators = ['|', '-', '–', '—', '·', ':'];

    /// <summary>
    /// The title folded for comparison: prefixes such as "UPDATE:" and "LIVE:" and a trailing " - Outlet" /
    /// " | Outlet" dropped, then case, diacritics, apostrophes and punctuation folded to single-spaced words.
    /// </summary>
    public static string TitleKey(string title)
    {
        var text = title.Trim();
        for (var changed = true; changed;)
        {
            changed = false;
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && Prefixes.Contains(Fold(text[..colon]), StringComparer.Ordinal))
            {
                text = text[(colon + 1)..].TrimStart();
                changed = true;
            }
        }

        text = StripOutletSuffix(text);
        return Fold(text);
    }

    /// <summary>
    /// Drops a last " - Outlet" style segment: at most four words after a spaced separator, with at least four words
    /// of headline before it (so "Iran - US talks" keeps its dash).
    /// </summary>
    private static string StripOutletSuffix(string title)
    {
        for (var i = title.Length - 2; i > 0; i--)
        {
            if (Array.IndexOf(SuffixSeparators, title[i]) < 0 || title[i] == ':' || title[i - 1] != ' ' || title[i + 1] != ' ')
            {
                continue;
            }

            var head = title[..(i - 1)].TrimEnd();
            var tail = title[(i + 1)..].Trim();
            if (Words(tail).Length is >= 1 and <= 4 && Words(head).Length >= 4)
            {
                return head;
            }

            break;
        }

        return title;
    }

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Lower case, no diacritics, apostrophes removed (Qa'ani = Qaani), other punctuation as spaces.</summary>
    public static string Fold(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormKD);
        var folded = new StringBuilder(decomposed.Length);
        var space = true;
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark ||
                c is '\'' or '’' or '‘' or 'ʼ' or '`' or '\u0640' /* Arabic tatweel */ or '\u00AD')
            {
                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                folded.Append(char.ToLowerInvariant(c));
                space = false;
            }
            else if (!space)
            {
                folded.Append(' ');
                space = true;
            }
        }

        return folded.ToString().TrimEnd();
    }

    /// <summary>
    /// Charikar's SimHash over 3-word shingles of the first <see cref="LedeWords"/> words of the body. Near-identical
    /// texts differ in few bits; unrelated texts in about half of them. The title stays out: outlets rewrite headlines
    /// over the same copy, and the title has its own say in <see cref="StoryMatcher"/>. A body under
    /// <see cref="MinLedeWords"/> words has too few shingles for the bits to mean anything: it gets
    /// <see cref="NoHash"/>, and only links and titles can join it to a story.
    /// </summary>
    public static long SimHash(string body)
    {
        var words = Words(Fold(body)).Take(LedeWords).ToList();
        if (words.Count < MinLedeWords)
        {
            return NoHash;
        }

        Span<int> weights = stackalloc int[64];
        var shingles = words.Count - ShingleSize + 1;
        for (var i = 0; i < shingles; i++)
        {
            var hash = Fnv1a(words, i, ShingleSize);
            for (var bit = 0; bit < 64; bit++)
            {
                weights[bit] += ((hash >> bit) & 1) == 1 ? 1 : -1;
            }
        }

        ulong result = 0;
        for (var bit = 0; bit < 64; bit++)
        {
            if (weights[bit] > 0)
            {
                result |= 1UL << bit;
            }
        }

        // 0 means "not hashed"; a real hash of 0 (one in 2^64) loses only the hash rules.
        return unchecked((long)result);
    }

    /// <summary>The folded words of a title without the words every headline shares.</summary>
    public static HashSet<string> TitleWords(string titleKey) =>
        Words(titleKey).Where(w => w.Length > 2 && !StopWords.Contains(w)).ToHashSet(StringComparer.Ordinal);

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "with", "from", "into", "over", "after", "before", "amid", "about", "says", "said", "say",
        "its", "his", "her", "their", "are", "was", "were", "has", "have", "had", "not", "but", "new", "why", "how", "what",
        "who", "will", "would", "could", "can", "out", "off", "than", "that", "this", "as", "at", "on", "in", "of", "to",
    };

    // FNV-1a 64 over the words of one shingle, with a separator so "ab c" and "a bc" differ.
    private static ulong Fnv1a(List<string> words, int start, int count)
    {
        const ulong offset = 14695981039346656037UL;
        const ulong prime = 1099511628211UL;
        var hash = offset;
        for (var w = start; w < start + count; w++)
        {
            foreach (var c in words[w])
            {
                hash = unchecked((hash ^ c) * prime);
            }

            hash = unchecked((hash ^ ' ') * prime);
        }

        // FNV's low bits mix poorly for short inputs; a final avalanche (SplitMix64's) spreads every input bit.
        hash ^= hash >> 30;
        hash = unchecked(hash * 0xbf58476d1ce4e5b9UL);
        hash ^= hash >> 27;
        hash = unchecked(hash * 0x94d049bb133111ebUL);
        return hash ^ (hash >> 31);
    }
}
