using System.Collections.Frozen;

namespace AlertBot.Core.Watchlists;

/// <summary>
/// The word forms an alias stands for without anyone listing them: from one canonical spelling and a rule set per
/// script, the Arabic article, sound plurals and cases, the Persian plural ها, ezafe and space-for-ZWNJ writings, and the
/// Latin transliteration variants of a name (q / gh / k, aa / a, e / i, ou / u). Every form works on folded keys (the
/// tokens of <see cref="Text.Tokenizer.Key"/> joined by single spaces); <see cref="ActorDictionary"/> then drops a form
/// that is a common word, a false friend, or another actor's spelling.
/// </summary>
/// <remarks>
/// One-letter Arabic proclitics (و ف ب ل ك) are not generated: the matcher looks through them on any Arabic-script
/// word it reads, generated forms included, which costs nothing per alias.
/// </remarks>
internal static class WordForms
{
    /// <summary>At most this many Latin variants per name: enough for every realistic spelling, bounded for the trie.</summary>
    private const int MaxLatinVariants = 48;

    /// <summary>Latin names shorter than this get no variants: short words collide with real words too easily.</summary>
    private const int MinLatinLength = 5;

    private const string Article = "ال";

    // Folded letters (TextNormalizer folds ی to ي and ة to ه).
    private const char Yeh = 'ي';
    private const char Heh = 'ه';

    /// <summary>
    /// Words a generated form may never be: common English words and the Arabic and Persian words a rule could turn a
    /// name into (حماسي is "epic", not "of Hamas"). The operator adds more in actors.json ("stopWords").
    /// </summary>
    internal static readonly FrozenSet<string> StopWords = new[]
    {
        // English function and news words.
        "a", "about", "after", "again", "against", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
        "before", "but", "by", "can", "could", "did", "do", "for", "from", "had", "has", "have", "he", "her", "here",
        "his", "how", "if", "in", "into", "is", "it", "its", "more", "most", "new", "no", "not", "of", "on", "one",
        "or", "other", "our", "out", "over", "said", "says", "she", "so", "some", "than", "that", "the", "their",
        "them", "then", "there", "these", "they", "this", "those", "to", "under", "up", "was", "we", "were", "what",
        "when", "where", "which", "while", "who", "will", "with", "would", "you", "army", "attack", "base", "border",
        "camp", "chief", "city", "civil", "corps", "court", "deal", "force", "forces", "front", "general", "group",
        "guard", "guards", "head", "house", "island", "kani", "karma", "king", "leader", "leaders", "line", "man",
        "market", "media", "militia", "minister", "movement", "office", "party", "people", "police", "port", "power",
        "press", "rebels", "red", "region", "sea", "ship", "state", "strait", "strike", "talks", "team", "town",
        "troops", "unit", "units", "war", "water", "week", "world", "year", "heroic", "kudos", "sahaba",
        // Names a transliteration rule could reach that belong to other people and places.
        "ghani", "ghanis", "qana", "kana", "qani", "irani", "eran", "iren", "eraq", "israil", "hamaas", "ashraf",
        // Arabic and Persian words one rule away from a name.
        "حماسي", "حماسه", "الحماس", "الحماسي", "حماسها", "حماسات", "سپاهي", "پاسدار", "حزباللهي",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Candidate forms of one alias (folded key), the alias's own key excluded, in a stable order.</summary>
    public static IEnumerable<string> Candidates(string key)
    {
        var tokens = key.Split(' ');
        if (tokens.Length == 1)
        {
            var token = tokens[0];
            return IsArabicScript(token) ? ArabicScriptForms(token, nisba: false) : LatinVariants(token);
        }

        // A phrase keeps its words; only how Persian joins them (a space or a ZWNJ, which folds away) varies, and its
        // last Arabic-script word takes the plural.
        if (tokens.All(IsArabicScript))
        {
            return PersianJoinings(tokens).Where(form => form != key).Distinct(StringComparer.Ordinal);
        }

        return [];
    }

    /// <summary>The Arabic-script demonyms of a country's Arabic-script name (إيران → إيراني, الإيرانية, إيرانيون ...).</summary>
    public static IEnumerable<string> Nisba(string key)
    {
        var tokens = key.Split(' ');
        return tokens.Length == 1 && IsArabicScript(tokens[0]) ? ArabicScriptForms(tokens[0], nisba: true) : [];
    }

    /// <summary>An English demonym's plural (Iranian → Iranians, Yemeni → Yemenis); none for "Lebanese", "Swiss".</summary>
    public static string? EnglishPlural(string demonym) =>
        demonym.EndsWith("ese", StringComparison.OrdinalIgnoreCase) || demonym.EndsWith('s') || demonym.Contains(' ', StringComparison.Ordinal)
            ? null
            : demonym + "s";

    private static bool IsArabicScript(string token) => token.Length > 0 && token[0] is >= '\u0600' and <= '\u06FF';

    /// <summary>
    /// Arabic: the article on and off, and for a nisba (…ي) its feminine and sound plurals and cases (-ه, -ون, -ين,
    /// -ات). Persian: the plural ها (ZWNJ-joined, which folds to joined, or after a space), its ezafe هاي, and a heh's
    /// ezafe ي. With <paramref name="nisba"/>, the name first becomes its nisba adjective (عراق → عراقي).
    /// </summary>
    private static IEnumerable<string> ArabicScriptForms(string token, bool nisba)
    {
        var hadArticle = token.StartsWith(Article, StringComparison.Ordinal) && token.Length > 4;
        var bare = hadArticle ? token[2..] : token;
        string? stem = null;
        if (nisba)
        {
            stem = bare[^1] == Yeh ? bare : bare + Yeh;
        }
        else if (bare.EndsWith("يون", StringComparison.Ordinal) || bare.EndsWith("يين", StringComparison.Ordinal))
        {
            stem = bare[..^2];
        }
        else if (bare.Length >= 4 && bare[^1] == Yeh)
        {
            stem = bare;
        }

        var forms = new List<string>();
        if (stem is not null)
        {
            foreach (var form in new[] { stem, stem + Heh, stem + "ون", stem + "ين", stem + "ات" })
            {
                forms.Add(form);
                forms.Add(Article + form);
            }

            forms.Add(stem + "ها");
            forms.Add(stem + " ها");
            forms.Add(stem + "هاي");
            forms.Add(stem + " هاي");
        }
        else
        {
            if (hadArticle)
            {
                forms.Add(bare);
            }

            forms.Add(bare + "ها");
            forms.Add(bare + " ها");
            forms.Add(bare + "هاي");
            if (bare[^1] == Heh)
            {
                forms.Add(bare + Yeh);
            }
        }

        return forms.Where(form => form != token).Distinct(StringComparer.Ordinal);
    }

    /// <summary>A phrase written with a space where Persian puts a ZWNJ (or nothing), and the other way round.</summary>
    private static IEnumerable<string> PersianJoinings(string[] tokens)
    {
        if (tokens.Length == 2)
        {
            yield return tokens[0] + tokens[1];
        }

        yield return string.Join(' ', tokens) + "ها";
        yield return string.Join(' ', tokens) + " ها";
    }

    /// <summary>
    /// A Latin name's transliteration variants: q ↔ gh, q → k, gh → k, aa → a, ee → i, ou → u, u → ou, e → i, and an
    /// initial i → e. Each place may change or not, up to <see cref="MaxLatinVariants"/> variants.
    /// </summary>
    private static IEnumerable<string> LatinVariants(string token)
    {
        if (token.Length < MinLatinLength || !token.All(char.IsAsciiLetterLower))
        {
            return [];
        }

        var sites = new List<(int At, int Length, string[] With)>();
        for (var i = 0; i < token.Length;)
        {
            var two = i + 1 < token.Length ? token.Substring(i, 2) : "";
            (int, string[])? site = two switch
            {
                "gh" => (2, ["q", "k"]),
                "aa" => (2, ["a"]),
                "ee" => (2, ["i"]),
                "ou" => (2, ["u"]),
                _ => token[i] switch
                {
                    'q' => (1, ["gh", "k"]),
                    'u' when i == 0 || token[i - 1] is not ('o' or 'q') => (1, ["ou"]),
                    'e' => (1, ["i"]),
                    'i' when i == 0 => (1, ["e"]),
                    _ => null,
                },
            };
            if (site is var (length, with))
            {
                sites.Add((i, length, with));
                i += length;
            }
            else
            {
                i++;
            }
        }

        var variants = new List<string> { token };
        foreach (var (at, length, with) in Enumerable.Reverse(sites))
        {
            // Sites are applied from the last, so an earlier site's offset holds whatever a later one did.
            var count = variants.Count;
            for (var v = 0; v < count && variants.Count < MaxLatinVariants + 1; v++)
            {
                foreach (var replacement in with)
                {
                    variants.Add(string.Concat(variants[v].AsSpan(0, at), replacement, variants[v].AsSpan(at + length)));
                }
            }
        }

        return variants.Skip(1).Distinct(StringComparer.Ordinal).Take(MaxLatinVariants);
    }
}
