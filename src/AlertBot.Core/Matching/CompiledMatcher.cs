using System.Collections.Frozen;
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
    private readonly Node _root;

    private CompiledMatcher(Node root, int ruleCount)
    {
        _root = root;
        RuleCount = ruleCount;
    }

    public static CompiledMatcher Empty { get; } = Build([], ActorDictionary.Empty);

    /// <summary>
    /// The distinct (owner, term) pairs compiled in: rules whose term has no word in it are left out, and an owner's
    /// terms that name the same actor count once.
    /// </summary>
    public int RuleCount { get; }

    public static CompiledMatcher Build(IEnumerable<MatchRule> rules, ActorDictionary actors)
    {
        var root = new NodeBuilder();
        var seen = new HashSet<(long Owner, string Key)>();
        var actorSpellings = new Dictionary<Actor, List<(string Alias, string[] Path)>>(ReferenceEqualityComparer.Instance);
        var actorIds = new Dictionary<Actor, int>(ReferenceEqualityComparer.Instance);
        var ruleCount = 0;
        foreach (var rule in rules)
        {
            var path = Path(rule.Term);
            var term = rule.Term.Trim();
            var actor = path.Length == 0 ? null : actors.Resolve(term);

            // One rule per owner and thing watched: "Houthis" twice, or "Houthis" and "Ansar Allah" (one actor),
            // would only report every hit twice. The first spelling the owner wrote is the one hits carry.
            if (path.Length == 0 || !seen.Add((rule.OwnerId, actor is null ? string.Join(' ', path) : "\0" + actor.Name)))
            {
                continue;
            }

            var group = ruleCount++;
            if (actor is null)
            {
                root.Walk(path).Add(new Entry(rule.OwnerId, term, term, -1, group));
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
                root.Walk(aliasPath).Add(new Entry(rule.OwnerId, term, alias, actorId, group));
            }
        }

        return new CompiledMatcher(root.Freeze(), ruleCount);
    }

    public ItemMatches Match(NewsItem item)
    {
        var found = new List<Found>();
        Scan(item.Title, MatchField.Title, found);
        Scan(item.Text, MatchField.Body, found);
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

    private static string[] Path(string text) => [.. Tokenizer.Tokenize(text).Select(t => t.Normalized)];

    private static List<(string Alias, string[] Path)> Spellings(IEnumerable<string> names)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var spellings = new List<(string, string[])>();
        foreach (var name in names)
        {
            var path = Path(name);
            if (path.Length > 0 && keys.Add(string.Join(' ', path)))
            {
                spellings.Add((name, path));
            }
        }

        return spellings;
    }

    private void Scan(string text, MatchField field, List<Found> found)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var tokens = Tokenizer.Tokenize(text);
        var sentences = SentenceSplitter.Split(text);
        var blockers = new List<Blocked>();
        var hits = new List<Found>();
        for (var start = 0; start < tokens.Count; start++)
        {
            var node = _root;
            var sentence = SentenceSplitter.Containing(sentences, tokens[start].Start);
            var sentenceEnd = sentence?.End ?? text.Length;
            for (var next = start; next < tokens.Count; next++)
            {
                var token = tokens[next];

                // A phrase runs only across spaces, hyphens or apostrophes, and never into the next sentence.
                if (next > start && (!token.Joined || token.Start >= sentenceEnd))
                {
                    break;
                }

                if (node.Children is null || !node.Children.TryGetValue(token.Normalized, out node))
                {
                    break;
                }

                if (node.Entries.Length == 0 && node.Blocks.Length == 0)
                {
                    continue;
                }

                var end = next + 1;
                var quote = new Quote(field, text[tokens[start].Start..token.End], sentence?.Text ?? text.Trim());
                foreach (var entry in node.Entries)
                {
                    hits.Add(new Found(start, end, entry, quote));
                }

                foreach (var actorId in node.Blocks)
                {
                    blockers.Add(new Blocked(start, end, actorId));
                }
            }
        }

        // A spelling inside a longer false friend of its actor ("Hezbollah" in "Kataib Hezbollah") does not count.
        found.AddRange(blockers.Count == 0
            ? hits
            : hits.Where(hit => hit.Entry.ActorId < 0 || !blockers.Any(b =>
                b.ActorId == hit.Entry.ActorId && b.Start <= hit.Start && hit.End <= b.End &&
                b.End - b.Start > hit.End - hit.Start)));
    }

    private static ItemMatches Collect(List<Found> found)
    {
        if (found.Count == 0)
        {
            return ItemMatches.None;
        }

        // Per rule, the longest spelling at each place wins and what it covers is not counted again: "Esmail Qaani"
        // is one hit on Qaani, not two.
        var kept = new List<Found>();
        foreach (var rule in found.GroupBy(f => f.Entry.Group))
        {
            var lastField = (MatchField)(-1);
            var coveredTo = -1;
            foreach (var hit in rule.OrderBy(f => f.Quote.Field).ThenBy(f => f.Start).ThenByDescending(f => f.End))
            {
                if (hit.Quote.Field == lastField && hit.Start < coveredTo)
                {
                    continue;
                }

                kept.Add(hit);
                lastField = hit.Quote.Field;
                coveredTo = hit.End;
            }
        }

        var byOwner = kept
            .GroupBy(f => f.Entry.OwnerId)
            .ToDictionary(
                owner => owner.Key,
                owner => (IReadOnlyList<TermHit>)[.. owner
                    .OrderBy(f => f.Quote.Field).ThenBy(f => f.Start).ThenBy(f => f.Entry.Group)
                    .Select(f => new TermHit(f.Entry.Term, f.Entry.Alias, f.Quote.MatchedText, f.Quote.Field, f.Quote.Sentence))]);
        return new ItemMatches(byOwner);
    }

    /// <summary>Who asked for a spelling: the owner, the term as written, the alias, the actor (or -1), the rule.</summary>
    private sealed record Entry(long OwnerId, string Term, string Alias, int ActorId, int Group);

    private sealed record Quote(MatchField Field, string MatchedText, string Sentence);

    /// <summary>A spelling found over tokens [Start, End) of one field.</summary>
    private sealed record Found(int Start, int End, Entry Entry, Quote Quote);

    /// <summary>A false friend of an actor found over tokens [Start, End).</summary>
    private readonly record struct Blocked(int Start, int End, int ActorId);

    private sealed class Node(FrozenDictionary<string, Node>? children, Entry[] entries, int[] blocks)
    {
        public FrozenDictionary<string, Node>? Children { get; } = children;

        public Entry[] Entries { get; } = entries;

        /// <summary>The actors for which this path is a false friend.</summary>
        public int[] Blocks { get; } = blocks;
    }

    private sealed class NodeBuilder
    {
        private readonly Dictionary<string, NodeBuilder> _children = new(StringComparer.Ordinal);
        private readonly List<Entry> _entries = [];

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

        public void Add(Entry entry)
        {
            // Two aliases of one actor may fold to the same path; the rule needs to be listed there once.
            // Rules are added one after another, so a repeat can only be the entry added last.
            if (_entries.Count == 0 || _entries[^1].Group != entry.Group)
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
