using System.Buffers;
using System.Text.RegularExpressions;

namespace AlertBot.Benchmarks.Matching;

/// <summary>
/// The two baselines the matcher is compared with, shared by the BenchmarkDotNet class and the CPU-time check so that
/// both time exactly the same code: one compiled regex per term, and one <see cref="SearchValues{T}"/> of all terms.
/// </summary>
internal static class Baselines
{
    public static Regex[] Regexes(IEnumerable<string> terms) =>
        [.. terms.Select(term => new Regex(
            $@"\b{Regex.Escape(term)}\b",
            RegexOptions.Compiled | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))];

    public static SearchValues<string> SearchValues(IEnumerable<string> terms) =>
        System.Buffers.SearchValues.Create([.. terms], StringComparison.OrdinalIgnoreCase);

    /// <summary>Every term's regex counted over the text: work linear in the number of terms.</summary>
    public static int CountRegexHits(Regex[] regexes, string text)
    {
        var hits = 0;
        foreach (var regex in regexes)
        {
            hits += regex.Count(text);
        }

        return hits;
    }

    /// <summary>Raw substring hits (no word boundaries, no folding, no aliases): the floor for a substring search.</summary>
    public static int CountSearchValuesHits(SearchValues<string> values, string text)
    {
        var hits = 0;
        var rest = text.AsSpan();
        int at;
        while ((at = rest.IndexOfAny(values)) >= 0)
        {
            hits++;
            rest = rest[(at + 1)..];
        }

        return hits;
    }
}
