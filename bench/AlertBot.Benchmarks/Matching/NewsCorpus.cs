using System.Text;
using AlertBot.Core.Watchlists;

namespace AlertBot.Benchmarks.Matching;

/// <summary>The text and the terms the matching benchmarks run on, the same for every contender.</summary>
internal static class NewsCorpus
{
    private static readonly string[] Subjects =
    [
        "Houthi forces", "Iraqi officials", "The Quds Force", "Ansar Allah", "Western diplomats", "Hezbollah",
        "The Popular Mobilisation Forces", "Israel", "Shipping insurers", "The US Central Command", "Iran’s foreign ministry",
        "Abbas Araghchi", "Kataib Hezbollah", "Analysts in Riyadh", "The Revolutionary Guards", "Hamas negotiators",
    ];

    private static readonly string[] Verbs =
    [
        "said on Tuesday that", "warned that", "denied reports that", "confirmed that", "told reporters that",
        "claimed in a statement that", "signalled that", "insisted that",
    ];

    private static readonly string[] Clauses =
    [
        "attacks on tankers in the Red Sea would continue", "talks in Muscat could resume next month",
        "the truce with US forces in Iraq was holding", "drones were launched towards Eilat overnight",
        "container lines were avoiding the Bab el-Mandeb strait", "sanctions on Bank Sepah would be extended",
        "a delegation had travelled to Baghdad and Erbil", "missile fragments were found near Hodeidah",
        "Esmail Qaani had met faction leaders in secret", "oil exports through the Strait of Hormuz were unaffected",
        "the Red Sea Film Festival would go ahead in Jeddah", "Ghaani’s visit was meant to calm the factions",
    ];

    private static readonly string[] Syllables =
    [
        "al", "bar", "dan", "esh", "far", "gul", "hab", "ir", "jar", "kas", "lam", "mar", "nab", "or", "qas", "rad",
        "sab", "tar", "ul", "vak", "waz", "yar", "zan", "ko", "mi", "ta", "ru", "shi", "ne", "po",
    ];

    /// <summary>The seed article followed by a few generated paragraphs of wire-style reporting.</summary>
    public static string Text { get; } = BuildText();

    public static int Utf8Bytes { get; } = Encoding.UTF8.GetByteCount(Text);

    public static ActorDictionary Actors { get; } =
        ActorDictionary.Load(Path.Combine(AppContext.BaseDirectory, "config", "actors.json"));

    /// <summary>
    /// <paramref name="count"/> watch terms: ten real actor names first (each stands for all its aliases), then
    /// generated words and phrases that look like place and person names. Every size holds the same ten real names,
    /// so the hits are the same and only the number of terms changes, as with a big watchlist most of which does not
    /// match on any one item.
    /// </summary>
    public static IReadOnlyList<string> Terms(int count)
    {
        var terms = new List<string>(count);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in Actors.Actors.Select(a => a.Name).Take(Math.Min(count, 10)))
        {
            seen.Add(name);
            terms.Add(name);
        }

        // A fixed seed: every run and every contender sees the same terms.
#pragma warning disable CA5394 // Not security: a reproducible stream of made-up words.
        var random = new Random(20261127);
        while (terms.Count < count)
        {
            var words = random.Next(4) == 0 ? 2 : 1;
            var term = string.Join(' ', Enumerable.Range(0, words).Select(_ => Word(random)));
            if (seen.Add(term))
            {
                terms.Add(term);
            }
        }
#pragma warning restore CA5394

        return terms;
    }

    /// <summary>
    /// The ten real actor names of <see cref="Terms"/>, then made-up actors named only by description: each has a
    /// pattern with an optional word, alternatives and a gap, and a context rule, most starting with the commonest
    /// word of English ("the"), none found in the text. Shows what descriptions cost as their number grows.
    /// </summary>
    public static (IReadOnlyList<string> Terms, ActorDictionary Actors) DescribedTerms(int count)
    {
        var real = Actors.Actors.Take(Math.Min(count, 10)).ToList();
        var terms = real.Select(a => a.Name).ToList();
        var actors = new List<Actor>(Actors.Actors);
        var names = new HashSet<string>(Actors.Actors.SelectMany(a => a.AllNames), StringComparer.OrdinalIgnoreCase);
#pragma warning disable CA5394 // Not security: see Terms.
        var random = new Random(20261207);
        while (terms.Count < count)
        {
            var name = Word(random) + " " + Word(random);
            if (!names.Add(name))
            {
                continue;
            }

            var pattern = $"(the|a)? {Word(random)} (rebels|militia|fighters|movement) ...4 (in|near|off) {Word(random)}";
            actors.Add(new Actor(name, []) { Descriptions = [new ActorDescription(pattern) { Near = [Word(random)], Window = 12 }] });
            terms.Add(name);
        }
#pragma warning restore CA5394

        return (terms, new ActorDictionary(actors, Actors.FalseFriends));
    }

#pragma warning disable CA5394 // Not security: see Terms.
    private static string Word(Random random)
    {
        var word = string.Concat(Enumerable.Range(0, random.Next(2, 4)).Select(_ => Syllables[random.Next(Syllables.Length)]));
        return char.ToUpperInvariant(word[0]) + word[1..];
    }

    private static string BuildText()
    {
        var seed = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", "the-national-2025-03-26-qaani-iraq.txt"));
        var random = new Random(7);
        var text = new StringBuilder(seed);
        for (var paragraph = 0; paragraph < 4; paragraph++)
        {
            text.Append("\n\n");
            for (var sentence = 0; sentence < 8; sentence++)
            {
                text.Append(Subjects[random.Next(Subjects.Length)]).Append(' ')
                    .Append(Verbs[random.Next(Verbs.Length)]).Append(' ')
                    .Append(Clauses[random.Next(Clauses.Length)]).Append(". ");
            }
        }

        return text.ToString();
    }
#pragma warning restore CA5394
}
