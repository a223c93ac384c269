using AlertBot.Core.Text;

namespace AlertBot.Core.Watchlists;

/// <summary>
/// A way the news names an actor by what it is rather than by name ("Yemen's rebels" for the Houthis), written as a
/// phrase pattern, with an optional context rule: the pattern counts only when one of <see cref="Near"/> stands within
/// <see cref="Window"/> words of it ("an Iran-backed militia" is the Houthis only when Yemen or the Red Sea is near).
/// </summary>
/// <param name="Pattern">
/// Words in a row, with <c>(a|b c)</c> for alternatives, <c>?</c> after a word or group for an optional one, and
/// <c>...</c> (or <c>…</c>, or <c>...N</c>) for a gap of up to 5 (or N) words: <c>(Iran-backed|Iran-aligned) militias ...
/// Red Sea</c>.
/// </param>
/// <param name="Label">How the alert explains a hit (as "Yemen's rebels"); the words as found when absent.</param>
public sealed record ActorDescription(string Pattern, string? Label = null)
{
    /// <summary>Words or phrases, one of which must stand within <see cref="Window"/> words; empty for none.</summary>
    public IReadOnlyList<string> Near { get; init; } = [];

    /// <summary>How many words may stand between the pattern and a <see cref="Near"/> word (either side).</summary>
    public int Window { get; init; } = DefaultWindow;

    public const int DefaultWindow = 12;
}

/// <summary>
/// A description's pattern compiled to literal token paths: each segment (the parts between gaps) expands into every
/// path its alternatives and optional words allow, so that the one trie of the matcher holds them like any alias.
/// </summary>
internal sealed record DescriptionPaths(
    ActorDescription Description,
    IReadOnlyList<(IReadOnlyList<string[]> Paths, int GapBefore)> Segments,
    IReadOnlyList<string[]> Near)
{
    /// <summary>At most this many paths per segment: a pattern is a few phrasings, not a grammar of the language.</summary>
    internal const int MaxPathsPerSegment = 512;

    /// <summary>Words a <c>...</c> gap may skip when it gives no number.</summary>
    internal const int DefaultGap = 5;

    private const int MaxGap = 30;

    private const int MaxWindow = 100;

    private const int MaxSegments = 8;

    /// <summary>Compiles a description; throws <see cref="FormatException"/> naming what is wrong with the pattern.</summary>
    public static DescriptionPaths Compile(ActorDescription description)
    {
        if (description.Window is < 0 or > MaxWindow)
        {
            throw new FormatException($"window {description.Window} is not between 0 and {MaxWindow}");
        }

        var near = new List<string[]>();
        foreach (var word in description.Near)
        {
            var path = Path(word);
            if (path.Length == 0)
            {
                throw new FormatException($"near word \"{word}\" has no letters or digits");
            }

            near.Add(path);
        }

        var parser = new PatternParser(description.Pattern);
        var segments = parser.Parse();
        if (segments.Count > MaxSegments)
        {
            throw new FormatException($"pattern \"{description.Pattern}\" has more than {MaxSegments - 1} gaps");
        }

        return new DescriptionPaths(description, segments, near);
    }

    private static string[] Path(string text) => [.. Tokenizer.Tokenize(text).Select(t => t.Normalized)];

    /// <summary>Recursive descent over the pattern; each method returns the token paths its part can match.</summary>
    private sealed class PatternParser(string pattern)
    {
        private int _at;

        public List<(IReadOnlyList<string[]> Paths, int GapBefore)> Parse()
        {
            var segments = new List<(IReadOnlyList<string[]>, int)>();
            var gap = 0;
            while (true)
            {
                var paths = Sequence(topLevel: true);
                if (paths.Any(p => p.Length == 0))
                {
                    throw new FormatException($"pattern \"{pattern}\": a part between gaps may match no word at all");
                }

                segments.Add((paths, gap));
                SkipSpaces();
                if (_at >= pattern.Length)
                {
                    return segments;
                }

                gap = Gap();
            }
        }

        private List<string[]> Sequence(bool topLevel)
        {
            List<string[]> paths = [[]];
            while (true)
            {
                SkipSpaces();
                if (_at >= pattern.Length || pattern[_at] is ')' or '|' || IsGapAt())
                {
                    if (!topLevel && _at >= pattern.Length)
                    {
                        throw new FormatException($"pattern \"{pattern}\": '(' is never closed");
                    }

                    if (topLevel && _at < pattern.Length && pattern[_at] is ')' or '|')
                    {
                        throw new FormatException($"pattern \"{pattern}\": unexpected '{pattern[_at]}' at column {_at + 1}");
                    }

                    return paths;
                }

                var item = pattern[_at] == '(' ? Group() : Word();
                if (_at < pattern.Length && pattern[_at] == '?')
                {
                    _at++;
                    item.Add([]);
                }

                var next = new List<string[]>();
                foreach (var left in paths)
                {
                    foreach (var right in item)
                    {
                        next.Add([.. left, .. right]);
                    }
                }

                if (next.Count > MaxPathsPerSegment)
                {
                    throw new FormatException($"pattern \"{pattern}\" expands to more than {MaxPathsPerSegment} phrasings; split it");
                }

                paths = [.. next.DistinctBy(p => string.Join(' ', p))];
            }
        }

        private List<string[]> Group()
        {
            var open = _at++;
            var alternatives = new List<string[]>();
            while (true)
            {
                alternatives.AddRange(Sequence(topLevel: false));
                if (_at >= pattern.Length)
                {
                    throw new FormatException($"pattern \"{pattern}\": '(' at column {open + 1} is never closed");
                }

                var c = pattern[_at++];
                if (c == ')')
                {
                    return alternatives;
                }

                if (c != '|')
                {
                    throw new FormatException($"pattern \"{pattern}\": a gap cannot stand inside '(' ... ')'");
                }
            }
        }

        private List<string[]> Word()
        {
            var start = _at;
            while (_at < pattern.Length && !char.IsWhiteSpace(pattern[_at]) && pattern[_at] is not ('(' or ')' or '|' or '?') && !IsGapAt())
            {
                _at++;
            }

            var path = Path(pattern[start.._at]);
            if (path.Length == 0)
            {
                throw new FormatException($"pattern \"{pattern}\": \"{pattern[start.._at]}\" at column {start + 1} has no letters or digits");
            }

            return [path];
        }

        private bool IsGapAt() =>
            _at < pattern.Length && (pattern[_at] == '…' || string.CompareOrdinal(pattern, _at, "...", 0, 3) == 0);

        private int Gap()
        {
            _at += pattern[_at] == '…' ? 1 : 3;
            var start = _at;
            while (_at < pattern.Length && char.IsAsciiDigit(pattern[_at]))
            {
                _at++;
            }

            if (_at == start)
            {
                return DefaultGap;
            }

            var gap = int.Parse(pattern.AsSpan(start, _at - start), System.Globalization.CultureInfo.InvariantCulture);
            return gap <= MaxGap ? gap : throw new FormatException($"pattern \"{pattern}\": a gap of {gap} words is more than {MaxGap}");
        }

        private void SkipSpaces()
        {
            while (_at < pattern.Length && char.IsWhiteSpace(pattern[_at]))
            {
                _at++;
            }
        }
    }
}
