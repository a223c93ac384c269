using System.Text;

namespace AlertBot.Storage.Watchlists;

/// <summary>
/// How a watch term is compared for uniqueness within a channel: trimmed, Unicode-normalised and case-folded in code,
/// because database collations fold case differently (SQLite's NOCASE only folds ASCII).
/// </summary>
public static class WatchTermKey
{
    /// <summary>The term as stored: trimmed, NFC.</summary>
    /// <exception cref="ArgumentException">The term is empty or only whitespace.</exception>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cleaned = text.Trim().Normalize(NormalizationForm.FormC);
        if (cleaned.Length == 0)
        {
            throw new ArgumentException("A watch term cannot be empty.", nameof(text));
        }

        return cleaned;
    }

    /// <summary>The uniqueness key of an already <see cref="Clean"/>ed term.</summary>
    public static string For(string cleaned) => cleaned.ToUpperInvariant();
}
