using System.Globalization;
using System.Text;

namespace AlertBot.Core.Text;

/// <summary>
/// Folds text to the form matching compares: lower case (invariant), no diacritics, one apostrophe and one hyphen.
/// "Qāʾānī" and "qa'ani", "Bab el‑Mandeb" and "bab el-mandeb" fold alike, so aliases need not list every spelling.
/// Arabic script loses its harakat, tatweel and hamza marks and has its alef, yeh, kaf and heh variants and its
/// digits folded to one form each. Only ever applied to one token at a time, so offsets stay the original text's.
/// </summary>
public static class TextNormalizer
{
    /// <summary>Every apostrophe-like mark the news writes: straight, curly, modifier letters, grave, acute.</summary>
    private const string Apostrophes = "'’‘ʼʻ`´ʾʿ′";

    /// <summary>Every hyphen and dash that joins or separates words like a hyphen does.</summary>
    private const string Hyphens = "-‐‑‒–—―−";

    public static bool IsApostrophe(char c) => Apostrophes.Contains(c, StringComparison.Ordinal);

    public static bool IsHyphen(char c) => Hyphens.Contains(c, StringComparison.Ordinal);

    /// <summary>The folded form of a whole string (apostrophes become ', hyphens become -).</summary>
    public static string Normalize(string text) => Normalize(text.AsSpan());

    /// <summary>
    /// Appends the folded form of <paramref name="text"/> to <paramref name="buffer"/> at <paramref name="at"/>,
    /// growing it when needed, and returns the folded length: <see cref="Normalize(ReadOnlySpan{char})"/> without a
    /// string per word for the plain ASCII words that make up most text.
    /// </summary>
    internal static int NormalizeInto(ReadOnlySpan<char> text, ref char[] buffer, int at)
    {
        Reserve(ref buffer, at + text.Length);
        var target = buffer.AsSpan(at, text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return NormalizeSlowly(text, ref buffer, at);
            }

            // ASCII upper case letters differ from lower case by one bit, which digits have set already.
            target[i] = (char)(c | 0x20);
        }

        return text.Length;
    }

    private static int NormalizeSlowly(ReadOnlySpan<char> text, ref char[] buffer, int at)
    {
        var folded = Normalize(text);
        Reserve(ref buffer, at + folded.Length);
        folded.CopyTo(buffer.AsSpan(at));
        return folded.Length;
    }

    private static void Reserve(ref char[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            Array.Resize(ref buffer, Math.Max(length, buffer.Length * 2));
        }
    }

    public static string Normalize(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return "";
        }

        // Fast path: plain ASCII letters and digits need only lower-casing, and most tokens are just that.
        if (IsPlainAscii(text))
        {
            Span<char> lower = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
            text.ToLowerInvariant(lower);
            return new string(lower);
        }

        var mapped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            mapped.Append(IsApostrophe(c) ? '\'' : IsHyphen(c) ? '-' : c);
        }

        // NFKD rather than plain NFD: it also unfolds compatibility forms (full-width Latin, ligatures, Arabic
        // presentation forms) into the letters they stand for, which only adds recall.
        var decomposed = mapped.ToString().Normalize(NormalizationForm.FormKD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark ||
                c is '\u00AD' or '\u200C' or '\u200D' or '\u0640')
            {
                // Diacritics and harakat go; so do soft hyphens, zero-width joiners and tatweel, which only shape
                // how a word is drawn.
                continue;
            }

            folded.Append(FoldArabicScript(char.ToLowerInvariant(c)));
        }

        return folded.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>
    /// The word a folded Arabic-script token may stand for once a one-letter proclitic is taken off: Arabic glues
    /// "and" (و), "so" (ف), "with/by" (ب), "for" (ل) and "like" (ك) to the next word, so والحوثيون is "and the
    /// Houthis". For ل before the article the article's alef is gone (للحوثيين = ل + الحوثيين), so both readings are
    /// offered. Empty for any other token, and for short words, where the first letter is more likely the word's own.
    /// </summary>
    public static IReadOnlyList<string> ArabicProcliticStems(string folded)
    {
        if (folded.Length < 4 || folded[0] is not ('\u0648' or '\u0641' or '\u0628' or '\u0644' or '\u0643') ||
            folded[1] is < '\u0620' or > '\u06FF')
        {
            return [];
        }

        return folded[0] == '\u0644' && folded[1] == '\u0644'
            ? [folded[1..], "\u0627" + folded[1..]]
            : [folded[1..]];
    }

    /// <summary>
    /// Folds the letters Arabic and Persian write differently for the same sound, so that الحوثيون and الحوثیون,
    /// or قاآنی and قاآني, compare equal. Hamza and madda carriers (أ إ آ ؤ ئ ۀ) have already lost their hamza or
    /// madda as a combining mark by now (NFKD splits them), which leaves alef, waw, yeh and heh.
    /// </summary>
    /// <remarks>
    /// Teh marbuta folds to heh, as most Arabic search engines do: headlines drop its dots as often as not, and
    /// no two of our spellings differ by it alone. A standalone hamza (ء) stays: it is a letter in its own right.
    /// </remarks>
    private static char FoldArabicScript(char c) => c switch
    {
        '\u0671' => '\u0627', // alef wasla → alef
        '\u0649' or '\u06CC' or '\u06D0' => '\u064A', // alef maksura, Farsi yeh, Pashto yeh → Arabic yeh
        '\u06A9' or '\u06AA' => '\u0643', // keheh (Persian kaf), swash kaf → Arabic kaf
        '\u0629' or '\u06D5' or '\u06BE' or '\u06C1' or '\u06C3' => '\u0647', // teh marbuta, ae, heh variants → heh
        >= '\u0660' and <= '\u0669' => (char)('0' + (c - '\u0660')), // Arabic-Indic digits
        >= '\u06F0' and <= '\u06F9' => (char)('0' + (c - '\u06F0')), // Persian digits
        _ => c,
    };

    private static bool IsPlainAscii(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
