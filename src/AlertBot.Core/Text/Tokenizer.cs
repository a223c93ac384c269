using System.Buffers;
using System.Globalization;
using System.Text;

namespace AlertBot.Core.Text;

/// <summary>
/// A word of the original text: where it stands (so a hit can quote the text as written) and its folded form.
/// </summary>
/// <param name="Joined">
/// Whether only spaces, hyphens, apostrophes or dots separate it from the previous token on the same line, so that a
/// phrase may run across that gap ("Bab el-Mandeb", "Qa'ani", "U.S."); a comma, a bracket or a line break stops one.
/// </param>
public readonly record struct Token(int Start, int Length, string Normalized, bool Joined)
{
    public int End => Start + Length;
}

/// <summary>
/// Splits text into word tokens. Letters (of any script), digits and combining marks make words; everything else,
/// apostrophes and hyphens included, separates them. So "Qaani's" is "qaani" + "s", "Houthi-controlled" is "houthi" +
/// "controlled", and an alias is tokenized the same way as the text it must be found in.
/// </summary>
public static class Tokenizer
{
    public static IReadOnlyList<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (NextWord(text, ref i, out var start, out var joined))
        {
            tokens.Add(new Token(start, i - start, TextNormalizer.Normalize(text.AsSpan(start, i - start)), joined));
        }

        return tokens;
    }

    /// <summary>
    /// Finds the next word from <paramref name="i"/>, which is 0 or just past the previous word: on return the word
    /// is [<paramref name="start"/>, <paramref name="i"/>) and <paramref name="joined"/> says whether only a joining
    /// gap separates it from the previous word. For callers that fold words themselves instead of allocating tokens.
    /// </summary>
    internal static bool NextWord(string text, ref int i, out int start, out bool joined) =>
        NextWord(text, ref i, out start, out joined, out _);

    /// <summary>
    /// <see cref="NextWord(string, ref int, out int, out bool)"/>, also saying whether the word is plain ASCII
    /// letters and digits, whose fold is only lower case.
    /// </summary>
    internal static bool NextWord(string text, ref int i, out int start, out bool joined, out bool ascii)
    {
        ascii = true;
        // Most news text is ASCII: its letters and digits are decided inline, and only other characters pay for a
        // Unicode category look-up.
        joined = i > 0;
        var length = text.Length;
        while (i < length)
        {
            var c = text[i];
            if (char.IsAscii(c) ? char.IsAsciiLetterOrDigit(c) : WordCharWidth(text, i) > 0)
            {
                break;
            }

            joined &= char.IsAscii(c) ? c is ' ' or '\t' or '.' or '\'' or '`' or '-' : IsJoiningGap(c);
            i++;
        }

        start = i;
        if (i == length)
        {
            return false;
        }

        while (i < length)
        {
            var c = text[i];
            if (char.IsAscii(c))
            {
                if (!char.IsAsciiLetterOrDigit(c))
                {
                    break;
                }

                i++;
                continue;
            }

            var width = WordCharWidth(text, i);
            if (width == 0)
            {
                break;
            }

            ascii = false;
            i += width;
        }

        return true;
    }

    /// <summary>Whether a word character is at <paramref name="index"/> (the first unit of a surrogate pair counts).</summary>
    internal static bool IsWordCharAt(string text, int index) => WordCharWidth(text, index) > 0;

    /// <summary>Whether the character just before <paramref name="index"/> (a whole surrogate pair) is a word character.</summary>
    internal static bool IsWordCharBefore(string text, int index) => PreviousWordCharWidth(text, index) > 0;

    /// <summary>Where the word holding the word character at <paramref name="index"/> starts.</summary>
    internal static int WordStart(string text, int index)
    {
        int width;
        while ((width = PreviousWordCharWidth(text, index)) > 0)
        {
            index -= width;
        }

        return index;
    }

    /// <summary>The number of UTF-16 units of the word character ending at <paramref name="index"/>, 0 if none.</summary>
    private static int PreviousWordCharWidth(string text, int index)
    {
        if (index <= 0)
        {
            return 0;
        }

        return index >= 2 && char.IsLowSurrogate(text[index - 1]) && char.IsHighSurrogate(text[index - 2])
            ? WordCharWidth(text, index - 2)
            : WordCharWidth(text, index - 1);
    }

    /// <summary>The folded tokens of a term or alias joined by single spaces: the key two spellings share.</summary>
    public static string Key(string text) => string.Join(' ', Tokenize(text).Select(t => t.Normalized));

    /// <summary>The number of UTF-16 units of the word character at <paramref name="index"/>, 0 if none is there.</summary>
    private static int WordCharWidth(string text, int index)
    {
        // Most news text is ASCII, where a word character is a letter or a digit and nothing else.
        if (char.IsAscii(text[index]))
        {
            return char.IsAsciiLetterOrDigit(text[index]) ? 1 : 0;
        }

        if (Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out var consumed) != OperationStatus.Done)
        {
            return 0;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                or UnicodeCategory.EnclosingMark => consumed,

            // Modifier letters are words' letters (Arabic tatweel), except the ones transliteration uses as
            // apostrophes (ʼ ʻ ʾ ʿ), which separate like apostrophes do.
            UnicodeCategory.ModifierLetter => TextNormalizer.IsApostrophe(text[index]) ? 0 : consumed,

            // Soft hyphens and zero-width (non-)joiners sit inside words (Persian writes ZWNJ mid-word).
            UnicodeCategory.Format => text[index] is '\u00AD' or '\u200C' or '\u200D' ? consumed : 0,
            _ => 0,
        };
    }

    private static bool IsJoiningGap(char c) =>
        c is ' ' or '\t' or '\u00A0' or '\u2009' or '\u202F' or '.' ||
        TextNormalizer.IsApostrophe(c) || TextNormalizer.IsHyphen(c);
}
