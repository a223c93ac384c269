using System.Collections.Frozen;
using System.Text.RegularExpressions;
using AlertBot.Core.Items;
using AlertBot.Core.Text;
using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Matching;

/// <summary>
/// Every channel's watch terms compiled into one matcher: matching an item costs time in the length of its text,
/// not in the number of terms. Immutable and thread-safe once built.
/// </summary>
/// <remarks>
/// Every spelling to look for (a plain term, or each alias of an actor a term names) becomes a path of folded tokens
/// in one trie; the node where a path ends lists who asked for it. Matching walks the trie from each token of the
/// text, so the work is (tokens in the text) × (tokens in the longest spelling), whatever the number of rules.
/// </remarks>
public sealed class CompiledMatcher
{
    /// <summary>At most this many matches of one regex count in one field: enough to explain, bounded in cost.</summary>
    private const int MaxRegexMatchesPerField = 32;

    private readonly Node _root;
    private readonly CompiledRule[] _rules;
    private readonly RegexUse[] _regexes;

    private CompiledMatcher(Node root, CompiledRule[] rules, RegexUse[] regexes)
    {
        _root = root;
        _rules = rules;
        _regexes = regexes;
    }

    public static CompiledMatcher Empty { get; } = Build([], ActorDictionary.Empty);

    /// <summary>
    /// The distinct (owner, query) pairs compiled in: rules that do not parse are left out, and an owner's queries
    /// that mean the same (two names of one actor, say) count once.
    /// </summary>
    public int RuleCount => _rules.Length;

    /// <summary>Builds the matcher; a rule whose query does not parse is left out (see the overload that reports it).</summary>
    public static CompiledMatcher Build(IEnumerable<MatchRule> rules, ActorDictionary actors) => Build(rules, actors, out _);

    /// <summary>
    /// Builds the matcher from every owner's queries. Never throws on a bad query: a rule that does not parse is left
    /// out and listed in <paramref name="faults"/> with the parser's message.
    /// </summary>
    public static CompiledMatcher Build(IEnumerable<MatchRule> rules, ActorDictionary actors, out IReadOnlyList<RuleFault> faults)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(actors);
        var root = new NodeBuilder();
        var seen = new HashSet<(long Owner, string Key)>();
        var compiled = new List<CompiledRule>();
        var faultList = new List<RuleFault>();
        var actorSpellings = new Dictionary<Actor, List<(string Alias, string[] Path)>>(ReferenceEqualityComparer.Instance);
        var actorIds = new Dictionary<Actor, int>(ReferenceEqualityComparer.Instance);
        var regexes = new Dictionary<string, RegexUse>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (!WatchQuery.TryParse(rule.Term, actors, out var query, out var error))
            {
                faultList.Add(new RuleFault(rule, error));
                continue;
            }

            // One rule per owner and thing watched: "Houthis" twice, or "Houthis" and "Ansar Allah" (one actor),
            // would only report every hit twice. The first spelling the owner wrote is the one hits carry.
            if (!seen.Add((rule.OwnerId, query.Key)))
            {
                continue;
            }

            var group = compiled.Count;
            compiled.Add(new CompiledRule(rule.OwnerId, query));
            foreach (var atom in query.Atoms)
            {
                if (atom is RegexNode regex)
                {
                    // Owners who wrote the same regex share one run of it per item.
                    var key = $"/{regex.Pattern}/{regex.Regex.Options}";
                    if (!regexes.TryGetValue(key, out var use))
                    {
                        use = new RegexUse(regex.Regex, regex.Display, []);
                        regexes.Add(key, use);
                    }

                    use.Users.Add((group, atom.Index));
                    continue;
                }

                var literal = (LiteralNode)atom;
                if (literal.Actor is not { } actor)
                {
                    root.Walk(literal.Path).Add(new Found.Source(group, literal.Index, literal.Text, -1));
                    continue;
                }

                if (!actorIds.TryGetValue(actor, out var actorId))
                {
                    actorId = actorIds.Count;
                    actorIds.Add(actor, actorId);
                    actorSpellings[actor] = Spellings(actor.AllNames);
                    foreach (var (_, falseFriend) in Spellings(actor.FalseFriends))
                    {
                        root.Walk(falseFriend).Blocks.Add(actorId);
                    }
                }

                foreach (var (alias, aliasPath) in actorSpellings[actor])
                {
                    root.Walk(aliasPath).Add(new Found.Source(group, literal.Index, alias, actorId));
                }
            }
        }

        faults = faultList;
        return new CompiledMatcher(root.Freeze(), [.. compiled], [.. regexes.Values]);
    }

    public ItemMatches Match(NewsItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var found = new List<Found>();
        var title = new FieldText(item.Title, MatchField.Title);
        var body = new FieldText(item.Text, MatchField.Body);
        Scan(title, found);
        Scan(body, found);
        foreach (var regex in _regexes)
        {
            RunRegex(regex, title, found);
            RunRegex(regex, body, found);
        }

        return Collect(found);
    }

    /// <summary>Matches free text as an item body: what <c>/test</c> and <c>match --text</c> check.</summary>
    public ItemMatches MatchText(string text) => Match(new NewsItem { Id = "", Title = "", Text = text });

    /// <summary>
    /// A one-off check of some terms against some text, for <c>match --text</c> and <c>/test</c>: builds a matcher
    /// for those terms alone. A long-lived caller with many rules builds once and calls <see cref="MatchText"/>.
    /// </summary>
    public static IReadOnlyList<TermHit> MatchTerms(IEnumerable<string> terms, ActorDictionary actors, string text) =>
        Build(terms.Select(t => new MatchRule(0, t)), actors).MatchText(text).For(0);

    private static List<(string Alias, string[] Path)> Spellings(IEnumerable<string> names)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var spellings = new List<(string, string[])>();
        foreach (var name in names)
        {
            var path = Tokenizer.Tokenize(name).Select(t => t.Normalized).ToArray();
            if (path.Length > 0 && keys.Add(string.Join(' ', path)))
            {
                spellings.Add((name, path));
            }
        }

        return spellings;
    }

    private void Scan(FieldText field, List<Found> found)
    {
        var text = field.Text;
        if (text.Length == 0)
        {
            return;
        }

        // Every word folded once into one buffer; the trie is searched with spans of it, so a scan allocates no
        // string per word (only words outside plain ASCII go through a string while being folded).
        var words = new List<Word>((text.Length / 6) + 1);
        var folded = new char[text.Length + 16];
        var length = 0;
        var i = 0;
        while (Tokenizer.NextWord(text, ref i, out var wordStart, out var joined))
        {
            var foldedLength = TextNormalizer.NormalizeInto(text.AsSpan(wordStart, i - wordStart), ref folded, length);
            words.Add(new Word(wordStart, i, joined, length, foldedLength));
            length += foldedLength;
        }

        var scan = new FieldScan(field, words, folded);
        for (var start = 0; start < words.Count; start++)
        {
            var key = scan.Folded(start);
            Walk(scan, start, key);
            if (key.Length > 0 && key[0] is >= '\u0600' and <= '\u06FF')
            {
                foreach (var stem in TextNormalizer.ArabicProcliticStems(key.ToString()))
                {
                    Walk(scan, start, stem);
                }
            }
        }

        if (scan.Hits.Count == 0)
        {
            return;
        }

        // A spelling inside a longer false friend of its actor ("Hezbollah" in "Kataib Hezbollah") does not count.
        var blockers = scan.Blockers;
        found.AddRange(blockers.Count == 0
            ? scan.Hits
            : scan.Hits.Where(hit => hit.Entry.ActorId < 0 || !blockers.Any(b =>
                b.ActorId == hit.Entry.ActorId && b.Start <= hit.Span.Start && hit.Span.End <= b.End &&
                b.End - b.Start > hit.Span.End - hit.Span.Start)));
    }

    /// <summary>Follows the trie from word <paramref name="start"/>, read as <paramref name="first"/>, as far as the text goes.</summary>
    private void Walk(FieldScan scan, int start, ReadOnlySpan<char> first)
    {
        var node = _root;
        var words = scan.Words;
        for (var next = start; next < words.Count; next++)
        {
            var word = words[next];

            // A phrase runs only across spaces, hyphens or apostrophes, and never into the next sentence.
            if (next > start && (!word.Joined || word.Start >= scan.SentenceEnd(start)))
            {
                break;
            }

            if (node.Children is null || !node.Lookup.TryGetValue(next == start ? first : scan.Folded(next), out node))
            {
                break;
            }

            if (node.Entries.Length == 0 && node.Blocks.Length == 0)
            {
                continue;
            }

            var end = next + 1;
            var span = new Span(scan.Field.Field, start, end, words[start].Start, word.End);
            var matched = scan.Field.Text[span.CharStart..span.CharEnd];
            var quote = scan.Field.SentenceAt(span.CharStart)?.Text ?? scan.Field.Text.Trim();
            foreach (var entry in node.Entries)
            {
                scan.Hits.Add(new Found(span, entry, matched, quote));
            }

            foreach (var actorId in node.Blocks)
            {
                scan.Blockers.Add(new Blocked(start, end, actorId));
            }
        }
    }

    /// <summary>
    /// Runs one regex over one field's original text. NonBacktracking keeps it linear; the timeout and the cap on
    /// matches bound it anyway, and a regex that times out simply finds nothing more in this field.
    /// </summary>
    private static void RunRegex(RegexUse regex, FieldText field, List<Found> found)
    {
        if (field.Text.Length == 0)
        {
            return;
        }

        var count = 0;
        try
        {
            foreach (var match in regex.Regex.EnumerateMatches(field.Text))
            {
                if (match.Length == 0)
                {
                    continue;
                }

                var span = new Span(field.Field, -1, -1, match.Index, match.Index + match.Length);
                var sentence = field.SentenceAt(match.Index)?.Text ?? field.Text.Trim();
                var matched = field.Text.Substring(match.Index, match.Length);
                foreach (var (group, atom) in regex.Users)
                {
                    found.Add(new Found(span, new Found.Source(group, atom, regex.Display, -1), matched, sentence));
                }

                if (++count == MaxRegexMatchesPerField)
                {
                    return;
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // What it found before running out of time still stands; the rest of the field is not searched.
        }
    }

    private ItemMatches Collect(List<Found> found)
    {
        if (found.Count == 0)
        {
            return ItemMatches.None;
        }

        var matched = new List<(int Group, Found Hit)>();
        foreach (var rule in found.GroupBy(f => f.Entry.Group))
        {
            var query = _rules[rule.Key].Query;
            var atoms = new List<Found>[query.Atoms.Count];
            for (var i = 0; i < atoms.Length; i++)
            {
                atoms[i] = [];
            }

            // Per atom, the longest spelling at each place wins and what it covers is not counted again:
            // "Esmail Qaani" is one hit on Qaani, not two.
            foreach (var atom in rule.GroupBy(f => f.Entry.Atom))
            {
                var lastField = (MatchField)(-1);
                var coveredTo = -1;
                foreach (var hit in atom.OrderBy(f => f.Span.Field).ThenBy(f => f.Span.CharStart).ThenByDescending(f => f.Span.CharEnd))
                {
                    if (hit.Span.Field == lastField && hit.Span.CharStart < coveredTo)
                    {
                        continue;
                    }

                    atoms[atom.Key].Add(hit);
                    lastField = hit.Span.Field;
                    coveredTo = hit.Span.CharEnd;
                }
            }

            var explaining = new List<Found>();
            if (QueryEvaluator.Evaluate(query.Root, atoms, explaining))
            {
                // An OR of two names of one actor finds the same place twice; it is explained once.
                matched.AddRange(explaining.DistinctBy(f => f.Span).Select(f => (rule.Key, f)));
            }
        }

        if (matched.Count == 0)
        {
            return ItemMatches.None;
        }

        var byOwner = matched
            .GroupBy(m => _rules[m.Group].OwnerId)
            .ToDictionary(
                owner => owner.Key,
                owner => (IReadOnlyList<TermHit>)[.. owner
                    .OrderBy(m => m.Hit.Span.Field).ThenBy(m => m.Hit.Span.CharStart).ThenBy(m => m.Group)
                    .Select(m => new TermHit(_rules[m.Group].Query.Text, m.Hit.Entry.Alias, m.Hit.MatchedText, m.Hit.Span.Field, m.Hit.Sentence))]);
        return new ItemMatches(byOwner);
    }

    private sealed record CompiledRule(long OwnerId, WatchQuery Query);

    /// <summary>A regex and the (rule, atom) pairs that asked for it.</summary>
    private sealed record RegexUse(Regex Regex, string Display, List<(int Group, int Atom)> Users);

    /// <summary>A word of a field: where it stands, whether it joins the previous one, and its folded form's place.</summary>
    private readonly record struct Word(int Start, int End, bool Joined, int FoldStart, int FoldLength);

    /// <summary>The state of scanning one field: its words, their folded text, and what was found so far.</summary>
    private sealed class FieldScan(FieldText field, List<Word> words, char[] folded)
    {
        public FieldText Field { get; } = field;

        public List<Word> Words { get; } = words;

        public List<Found> Hits { get; } = [];

        public List<Blocked> Blockers { get; } = [];

        public ReadOnlySpan<char> Folded(int word) => folded.AsSpan(Words[word].FoldStart, Words[word].FoldLength);

        /// <summary>Where the sentence holding word <paramref name="word"/> ends: a phrase may not run past it.</summary>
        public int SentenceEnd(int word) => Field.SentenceAt(Words[word].Start)?.End ?? Field.Text.Length;
    }

    /// <summary>One field of an item, with its sentences split once, on first need.</summary>
    private sealed class FieldText(string? text, MatchField field)
    {
        private IReadOnlyList<Sentence>? _sentences;

        public string Text { get; } = text ?? "";

        public MatchField Field { get; } = field;

        public Sentence? SentenceAt(int offset) =>
            SentenceSplitter.Containing(_sentences ??= SentenceSplitter.Split(Text), offset);
    }

    /// <summary>A false friend of an actor found over tokens [Start, End).</summary>
    private readonly record struct Blocked(int Start, int End, int ActorId);

    private sealed class Node(FrozenDictionary<string, Node>? children, Found.Source[] entries, int[] blocks)
    {
        public FrozenDictionary<string, Node>? Children { get; } = children;

        /// <summary>The children looked up by a span of the folded text, so that no string is made per word.</summary>
        public FrozenDictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } =
            children?.GetAlternateLookup<ReadOnlySpan<char>>() ?? default;

        public Found.Source[] Entries { get; } = entries;

        /// <summary>The actors for which this path is a false friend.</summary>
        public int[] Blocks { get; } = blocks;
    }

    private sealed class NodeBuilder
    {
        private readonly Dictionary<string, NodeBuilder> _children = new(StringComparer.Ordinal);
        private readonly List<Found.Source> _entries = [];

        public HashSet<int> Blocks { get; } = [];

        public NodeBuilder Walk(string[] path)
        {
            var node = this;
            foreach (var token in path)
            {
                if (!node._children.TryGetValue(token, out var child))
                {
                    child = new NodeBuilder();
                    node._children.Add(token, child);
                }

                node = child;
            }

            return node;
        }

        public void Add(Found.Source entry)
        {
            // Two aliases of one actor may fold to the same path; the rule needs to be listed there once.
            // Rules are added one after another, so a repeat can only be the entry added last.
            if (_entries.Count == 0 || _entries[^1].Group != entry.Group || _entries[^1].Atom != entry.Atom)
            {
                _entries.Add(entry);
            }
        }

        public Node Freeze() => new(
            _children.Count == 0 ? null : _children.ToFrozenDictionary(c => c.Key, c => c.Value.Freeze(), StringComparer.Ordinal),
            [.. _entries],
            [.. Blocks]);
    }
}
