using System.Globalization;
using System.Text;

namespace AlertBot.Core.Text;

/// <summary>
/// Folds text to the form matching compares: lower case (invariant), no diacritics, one apostrophe and one hyphen.
/// "Qāʾānī" and "qa'ani", "Bab el‑Mandeb" and "bab el-mandeb" fold alike, so aliases need not list every spelling.
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

            folded.Append(char.ToLowerInvariant(c));
        }

        return folded.ToString().Normalize(NormalizationForm.FormC);
    }

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
