using System.Buffers;

namespace AlertBot.Core.Text;

/// <summary>A sentence of the original text: where it stands and its text, trimmed.</summary>
public readonly record struct Sentence(int Start, int Length, string Text)
{
    public int End => Start + Length;
}

/// <summary>
/// Splits plain text into sentences. A line break always ends one (feeds flatten paragraphs, captions and bylines
/// into lines). Inside a line a sentence ends at . ! ? … (with any closing quotes or brackets) before white space and
/// the start of a new sentence, except after an abbreviation (Mr., Dr., St., Jan.), an initial or a dotted
/// acronym (J. Smith, U.S. forces); decimals (3.5) never have the white space a break needs.
/// </summary>
public static class SentenceSplitter
{
    // Words that end with a dot yet rarely end a sentence: titles, months, and the like.
    private static readonly HashSet<string> Abbreviations = new(StringComparer.Ordinal)
    {
        "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sr", "Jr", "St", "Mt", "Ft", "Rev", "Hon", "Sen", "Rep", "Gov",
        "Gen", "Lt", "Col", "Maj", "Capt", "Cpt", "Sgt", "Cpl", "Adm", "Cmdr", "Brig", "Pres", "Amb", "Insp", "Supt",
        "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
        "No", "Nos", "Vol", "Art", "Fig", "Ch", "Para", "Ave", "Blvd", "Rd", "Co", "Corp", "Dept", "Univ", "Est",
        "approx", "vs", "cf", "al", "eg", "ie", "pp",
    };

    private const string Terminators = ".!?…؟۔";
    private static readonly SearchValues<char> TerminatorValues = SearchValues.Create(Terminators);
    private static readonly SearchValues<char> LineBreaks = SearchValues.Create("\n\r\u2028\u2029");
    private const string Closers = "\"'”’»)]›";
    private const string Openers = "\"'“‘«([‹¿¡";

    public static IReadOnlyList<Sentence> Split(string text) =>
        [.. Bounds(text).Select(b => new Sentence(b.Start, b.Length, text.Substring(b.Start, b.Length)))];

    /// <summary>
    /// Where each sentence of <see cref="Split"/> stands, without copying its text: for callers that quote only a
    /// few of the sentences (the matcher quotes the ones that hold a hit).
    /// </summary>
    internal static List<(int Start, int Length)> Bounds(string text)
    {
        var sentences = new List<(int Start, int Length)>();
        var lineStart = 0;
        while (lineStart <= text.Length)
        {
            var lineEnd = text.AsSpan(lineStart).IndexOfAny(LineBreaks);
            lineEnd = lineEnd < 0 ? text.Length : lineStart + lineEnd;
            SplitLine(text, lineStart, lineEnd, sentences);
            lineStart = lineEnd + 1;
        }

        return sentences;
    }

    /// <summary>The sentence that holds the character at <paramref name="offset"/>, or null when none does.</summary>
    public static Sentence? Containing(IReadOnlyList<Sentence> sentences, int offset)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var index = IndexContaining(new SentenceRanges(sentences), offset);
        return index < 0 ? null : sentences[index];
    }

    /// <summary>The index of the bounds (from <see cref="Bounds"/>) that hold <paramref name="offset"/>, or -1.</summary>
    internal static int IndexContaining(List<(int Start, int Length)> bounds, int offset) =>
        IndexContaining(new BoundRanges(bounds), offset);

    /// <summary>
    /// A binary search over sorted, disjoint ranges; generic over a struct so that each kind of list gets its own
    /// code and no delegate or closure is allocated per search.
    /// </summary>
    private static int IndexContaining<TRanges>(TRanges ranges, int offset)
        where TRanges : struct, IRanges
    {
        int low = 0, high = ranges.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            var (start, end) = ranges[mid];
            if (offset < start)
            {
                high = mid - 1;
            }
            else if (offset >= end)
            {
                low = mid + 1;
            }
            else
            {
                return mid;
            }
        }

        return -1;
    }

    private static void SplitLine(string text, int start, int end, List<(int Start, int Length)> sentences)
    {
        var sentenceStart = start;
        var i = start;
        while (i < end)
        {
            // Most characters end nothing: jump to the next terminator in one vectorised search.
            var skip = text.AsSpan(i, end - i).IndexOfAny(TerminatorValues);
            if (skip < 0)
            {
                break;
            }

            i += skip;

            var terminator = i;
            while (i < end && Terminators.Contains(text[i], StringComparison.Ordinal))
            {
                i++;
            }

            while (i < end && Closers.Contains(text[i], StringComparison.Ordinal))
            {
                i++;
            }

            var next = i;
            while (next < end && char.IsWhiteSpace(text[next]))
            {
                next++;
            }

            if (next == i || next == end)
            {
                // No white space after it (3.5, U.S.A, example.com) or nothing after it on this line.
                continue;
            }

            if (IsBreak(text, sentenceStart, terminator, next))
            {
                Add(text, sentenceStart, i, sentences);
                sentenceStart = next;
            }

            i = next;
        }

        Add(text, sentenceStart, end, sentences);
    }

    private static bool IsBreak(string text, int sentenceStart, int terminator, int next)
    {
        var following = text[next];
        var startsSentence = char.IsUpper(following) || Openers.Contains(following, StringComparison.Ordinal) ||
                             (char.IsLetter(following) && !char.IsLower(following)) ||
                             (char.IsDigit(following) && text[terminator] != '.');
        if (!startsSentence)
        {
            return false;
        }

        if (text[terminator] != '.')
        {
            return true;
        }

        // The word right before the dot: an abbreviation, an initial, or the last letter of a dotted acronym
        // (U.S., e.g.) keeps the sentence going.
        var wordStart = terminator;
        while (wordStart > sentenceStart && char.IsLetter(text[wordStart - 1]))
        {
            wordStart--;
        }

        var word = text.AsSpan(wordStart, terminator - wordStart);
        if (word.Length == 1 && (char.IsUpper(word[0]) || (wordStart > sentenceStart && text[wordStart - 1] == '.')))
        {
            return false;
        }

        return word.Length == 0 || !Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
    }

    private static void Add(string text, int start, int end, List<(int Start, int Length)> sentences)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            sentences.Add((start, end - start));
        }
    }

    private interface IRanges
    {
        int Count { get; }

        (int Start, int End) this[int index] { get; }
    }

    private readonly struct SentenceRanges(IReadOnlyList<Sentence> sentences) : IRanges
    {
        public int Count => sentences.Count;

        public (int Start, int End) this[int index] => (sentences[index].Start, sentences[index].End);
    }

    private readonly struct BoundRanges(List<(int Start, int Length)> bounds) : IRanges
    {
        public int Count => bounds.Count;

        public (int Start, int End) this[int index] => (bounds[index].Start, bounds[index].Start + bounds[index].Length);
    }
}
