using System.Buffers;
using System.Collections.Frozen;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
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
/// text that may start a path, so the work is at most (tokens in the text) × (tokens in the longest spelling),
/// whatever the number of rules.
/// </remarks>
public sealed class CompiledMatcher
{
    /// <summary>At most this many matches of one regex count in one field: enough to explain, bounded in cost.</summary>
    private const int MaxRegexMatchesPerField = 32;

    /// <summary>
    /// Up to this many distinct first words, one vectorised substring search for them finds the words worth a trie
    /// lookup faster than reading every word; past it, the substring search costs more than reading every word.
    /// </summary>
    private const int MaxPrefilterKeys = 256;

    private static readonly SearchValues<char> AsciiLettersAndDigits =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private readonly Node _root;
    private readonly CompiledRule[] _rules;
    private readonly RegexUse[] _regexes;

    /// <summary>The first words of every path that are plain ASCII, or null to read every word instead.</summary>
    private readonly SearchValues<string>? _asciiStarts;

    /// <summary>
    /// Per pair of first two characters (the second 0 for a one-letter word) of the ASCII first words, one bit per
    /// length (31 for 31 and longer): a plain ASCII word whose pair and length start no path is passed over without
    /// being folded or hashed.
    /// </summary>
    private readonly uint[] _asciiPairLengths = new uint[128 * 128];

    /// <summary>Whether any query uses NEAR, the only thing that needs each hit's word positions.</summary>
    private readonly bool _needsWordIndices;

    /// <summary>The descriptions of the actors compiled in, by id: what a description hit must find around it.</summary>
    private readonly DescriptionRule[] _descriptions;

    private CompiledMatcher(Node root, CompiledRule[] rules, RegexUse[] regexes, DescriptionRule[] descriptions)
    {
        _root = root;
        _rules = rules;
        _regexes = regexes;
        _descriptions = descriptions;
        _needsWordIndices = rules.Any(rule => UsesNear(rule.Query.Root));
        var firstWords = root.Children?.Keys ?? [];
        foreach (var word in firstWords)
        {
            // An empty key (a term whose every character folds away) can never be reached by a scanned word.
            if (word.Length > 0 && word[0] < 128 && (word.Length == 1 || word[1] < 128))
            {
                _asciiPairLengths[AsciiPair(word[0], word.Length == 1 ? '\0' : word[1])] |= LengthBit(word.Length);
            }
        }

        // A one- or two-letter first word ("al" of al-Quds) is a substring of too many words to be worth searching for.
        if (firstWords.Length <= MaxPrefilterKeys && firstWords.All(word => word.Length >= 3 || !Ascii.IsValid(word)))
        {
            // Only plain ASCII words fold to plain ASCII (lower case), and their case is all folding changes, so a
            // case-insensitive search for the ASCII first words finds every ASCII word that starts a path. Any
            // other key can only be the fold of a word with a non-ASCII letter, and those words are all read.
            _asciiStarts = SearchValues.Create([.. firstWords.Where(word => Ascii.IsValid(word))], StringComparison.OrdinalIgnoreCase);
        }
    }

    private static uint LengthBit(int length) => 1U << Math.Min(length, 31);

    private static int AsciiPair(char first, char second) => ((first | 0x20) << 7) | (second == '\0' ? 0 : second | 0x20);

    /// <summary>Whether the plain ASCII word [<paramref name="start"/>, <paramref name="end"/>) may be a first word.</summary>
    private bool MayStartPath(string text, int start, int end)
    {
        var pair = AsciiPair(text[start], end - start == 1 ? '\0' : text[start + 1]);
        return (_asciiPairLengths[pair] & LengthBit(end - start)) != 0;
    }

    private static bool UsesNear(QueryNode node) => node switch
    {
        NearNode => true,
        AndNode and => and.Children.Any(UsesNear),
        OrNode or => or.Children.Any(UsesNear),
        NotNode not => UsesNear(not.Child),
        _ => false,
    };

    /// <summary>Whether a scan searches for the first words (true) or reads every word; for tests of both ways.</summary>
    internal bool SearchesFirstWords => _asciiStarts is not null;

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
    /// <param name="regexTimeout">How long one regex may run over one field; <see cref="WatchQuery.DefaultRegexTimeout"/> when null.</param>
    public static CompiledMatcher Build(IEnumerable<MatchRule> rules, ActorDictionary actors, out IReadOnlyList<RuleFault> faults, TimeSpan? regexTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(actors);
        var root = new NodeBuilder();
        var seen = new HashSet<(long Owner, string Key)>();
        var compiled = new List<CompiledRule>();
        var faultList = new List<RuleFault>();
        var actorSpellings = new Dictionary<Actor, IReadOnlyList<ActorSpelling>>(ReferenceEqualityComparer.Instance);
        var actorDescriptions = new Dictionary<Actor, List<(int Id, DescriptionPaths Paths)>>(ReferenceEqualityComparer.Instance);
        var descriptions = new List<DescriptionRule>();
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
                        var run = regexTimeout is { } budget && budget != regex.Regex.MatchTimeout
                            ? new Regex(regex.Pattern, regex.Regex.Options, budget)
                            : regex.Regex;
                        use = new RegexUse(run, regex.Display, []);
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
                    actorSpellings[actor] = actors.SpellingsOf(actor);
                    foreach (var falseFriend in actors.FalseFriendPathsOf(actor))
                    {
                        root.Walk(falseFriend).Blocks.Add(actorId);
                    }

                    // A description's later parts and context words are marks, not hits: they only confirm one.
                    var compiledDescriptions = new List<(int, DescriptionPaths)>();
                    foreach (var description in actors.DescriptionsOf(actor))
                    {
                        var id = descriptions.Count;
                        descriptions.Add(DescriptionRule.From(description));
                        compiledDescriptions.Add((id, description));
                        for (var part = 1; part < description.Segments.Count; part++)
                        {
                            foreach (var path in description.Segments[part].Paths)
                            {
                                root.Walk([.. path]).Marks.Add(Mark(id, part));
                            }
                        }

                        foreach (var path in description.Near)
                        {
                            root.Walk(path).Marks.Add(Mark(id, NearPart));
                        }
                    }

                    actorDescriptions[actor] = compiledDescriptions;
                }

                if (literal.Exact)
                {
                    root.Walk(literal.Path).Add(new Found.Source(group, literal.Index, literal.Text, actorId));
                    continue;
                }

                foreach (var (alias, aliasPath) in actorSpellings[actor])
                {
                    root.Walk(aliasPath).Add(new Found.Source(group, literal.Index, alias, actorId));
                }

                foreach (var (id, description) in actorDescriptions[actor])
                {
                    foreach (var path in description.Segments[0].Paths)
                    {
                        root.Walk([.. path]).Add(new Found.Source(group, literal.Index, description.Description.Label ?? "", actorId, id));
                    }
                }
            }
        }

        faults = faultList;
        return new CompiledMatcher(root.Freeze(), [.. compiled], [.. regexes.Values], [.. descriptions]);
    }

    /// <summary>The part number of a description's context words (its segments are 1, 2, ...).</summary>
    private const int NearPart = 63;

    private static int Mark(int description, int part) => (description << 6) | part;

    public ItemMatches Match(NewsItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var found = new List<Found>();
        var title = new FieldText(item.Title, MatchField.Title);
        var body = new FieldText(item.Text, MatchField.Body);
        Scan(title, found);
        Scan(body, found);
        List<string>? timedOut = null;
        foreach (var regex in _regexes)
        {
            if (!RunRegex(regex, title, found) | !RunRegex(regex, body, found))
            {
                (timedOut ??= []).Add(regex.Display);
            }
        }

        return Collect(found, timedOut);
    }

    /// <summary>Matches free text as an item body: what <c>/test</c> and <c>match --text</c> check.</summary>
    public ItemMatches MatchText(string text) => Match(new NewsItem { Id = "", Title = "", Text = text });

    /// <summary>
    /// A one-off check of some terms against some text, for <c>match --text</c> and <c>/test</c>: builds a matcher
    /// for those terms alone. A long-lived caller with many rules builds once and calls <see cref="MatchText"/>.
    /// </summary>
    public static IReadOnlyList<TermHit> MatchTerms(IEnumerable<string> terms, ActorDictionary actors, string text) =>
        Build(terms.Select(t => new MatchRule(0, t)), actors).MatchText(text).For(0);

    private void Scan(FieldText field, List<Found> found)
    {
        var text = field.Text;
        if (text.Length == 0)
        {
            return;
        }

        var scan = new FieldScan(field);
        if (_asciiStarts is null)
        {
            ScanEveryWord(scan);
        }
        else
        {
            ScanCandidates(scan);
        }

        if (scan.Hits.Count == 0)
        {
            return;
        }

        // Descriptions first: a confirmed one spans its whole pattern, and that span is what NEAR counts from.
        if (scan.Hits.Any(hit => hit.Entry.Description >= 0))
        {
            ConfirmDescriptions(scan);
        }

        if (_needsWordIndices)
        {
            scan.NumberWords();
        }

        // A spelling inside a longer false friend of its actor ("Hezbollah" in "Kataib Hezbollah") does not count.
        var blockers = scan.Blockers;
        found.AddRange(blockers.Count == 0
            ? scan.Hits
            : scan.Hits.Where(hit => hit.Entry.ActorId < 0 || !blockers.Any(b =>
                b.ActorId == hit.Entry.ActorId && b.Start <= hit.Span.CharStart && hit.Span.CharEnd <= b.End &&
                b.End - b.Start > hit.Span.CharEnd - hit.Span.CharStart)));
    }

    /// <summary>
    /// Keeps a description's hit only when the rest of its pattern follows within each gap, in the same sentence, and
    /// (if it has a context rule) a context word stands within its window; the hit then spans the whole description.
    /// </summary>
    private void ConfirmDescriptions(FieldScan scan)
    {
        var hits = scan.Hits;
        for (var i = hits.Count - 1; i >= 0; i--)
        {
            var hit = hits[i];
            if (hit.Entry.Description < 0)
            {
                continue;
            }

            var rule = _descriptions[hit.Entry.Description];
            var text = scan.Field.Text;
            var (charStart, charEnd) = (hit.Span.CharStart, hit.Span.CharEnd);
            var confirmed = true;
            var sentenceEnd = rule.Gaps.Length > 1 ? scan.Field.SentenceEnd(charStart) : 0;
            for (var part = 1; part < rule.Gaps.Length && confirmed; part++)
            {
                // The earliest later part within the gap (the longest of those starting there), in the same sentence.
                var mark = Mark(hit.Entry.Description, part);
                (int Start, int End)? next = null;
                foreach (var (markSpan, id) in scan.Marks)
                {
                    if (id == mark && markSpan.CharStart >= charEnd && markSpan.CharEnd <= sentenceEnd &&
                        (next is not { } best || markSpan.CharStart < best.Start || (markSpan.CharStart == best.Start && markSpan.CharEnd > best.End)) &&
                        WordsBetween(text, charEnd, markSpan.CharStart, rule.Gaps[part]) <= rule.Gaps[part])
                    {
                        next = (markSpan.CharStart, markSpan.CharEnd);
                    }
                }

                confirmed = next is not null;
                charEnd = next?.End ?? charEnd;
            }

            if (confirmed && rule.HasNear)
            {
                var near = Mark(hit.Entry.Description, NearPart);
                confirmed = scan.Marks.Any(m => m.Id == near && (
                    m.Span.CharEnd <= charStart ? WordsBetween(text, m.Span.CharEnd, charStart, rule.Window) <= rule.Window
                    : m.Span.CharStart < charEnd || WordsBetween(text, charEnd, m.Span.CharStart, rule.Window) <= rule.Window));
            }

            var span = hit.Span with { CharEnd = charEnd };
            if (!confirmed)
            {
                hits.RemoveAt(i);
                continue;
            }

            var matched = scan.Field.Text[span.CharStart..span.CharEnd];
            var alias = hit.Entry.Alias.Length > 0 ? hit.Entry.Alias : matched;
            hits[i] = new Found(span, hit.Entry with { Alias = alias }, matched, hit.Sentence);
        }
    }

    /// <summary>
    /// How many words start in [<paramref name="from"/>, <paramref name="to"/>), <paramref name="from"/> being the end of
    /// a word; counting stops past <paramref name="limit"/>, so the cost is that of the words a window allows, not of
    /// the text.
    /// </summary>
    private static int WordsBetween(string text, int from, int to, int limit)
    {
        var count = 0;
        var i = from;
        while (count <= limit && Tokenizer.NextWord(text, ref i, out var start, out _) && start < to)
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Walks the trie from every word that may start a path: a plain ASCII word is passed over on its first two
    /// letters and its length alone when no first word has them; any other word is folded and looked up.
    /// </summary>
    /// <remarks>
    /// Text is taken 32 characters at a time: two vector compares give a bit per ASCII letter or digit, and where
    /// the block holds only ASCII the words are the runs of set bits, read off the bits without looking at a
    /// character more than the filter needs. A block with any other character is read character by character.
    /// </remarks>
    private void ScanEveryWord(FieldScan scan)
    {
        var text = scan.Field.Text;
        var done = 0;
        var block = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text.AsSpan()));
            for (; block + 32 <= text.Length; block += 32)
            {
                var low = Vector256.LoadUnsafe(ref chars, (nuint)block);
                var high = Vector256.LoadUnsafe(ref chars, (nuint)block + 16);
                if ((Vector256.GreaterThanAny(low, Vector256.Create((ushort)0x7F)) ||
                     Vector256.GreaterThanAny(high, Vector256.Create((ushort)0x7F))))
                {
                    done = ScanWords(scan, Math.Max(done, block), block + 32);
                    continue;
                }

                var letters = AsciiLetterOrDigitBits(low) | (AsciiLetterOrDigitBits(high) << 16);
                var starts = letters & ~(letters << 1);
                while (starts != 0)
                {
                    var start = block + BitOperations.TrailingZeroCount(starts);
                    starts &= starts - 1;
                    if (start < done)
                    {
                        // The rest of a word that began in the block before, already read.
                        continue;
                    }

                    var offset = start - block;
                    var run = BitOperations.TrailingZeroCount(~(letters >> offset));
                    if (offset + run < 32)
                    {
                        // Ends inside the block, before an ASCII character that is no letter or digit.
                        done = start + run;
                        if (MayStartPath(text, start, done))
                        {
                            WalkFrom(scan, start, done);
                        }
                    }
                    else
                    {
                        done = ScanWords(scan, start, start + 1);
                    }
                }
            }
        }

        ScanWords(scan, Math.Max(done, block), text.Length);
    }

    /// <summary>The ASCII letters and digits of 16 characters, one bit each (bit 0 the first character).</summary>
    private static uint AsciiLetterOrDigitBits(Vector256<ushort> chars)
    {
        var letter = Vector256.LessThanOrEqual((chars | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)('z' - 'a')));
        var digit = Vector256.LessThanOrEqual(chars - Vector256.Create((ushort)'0'), Vector256.Create((ushort)9));
        return (letter | digit).ExtractMostSignificantBits();
    }

    /// <summary>
    /// Reads the words that start in [<paramref name="from"/>, <paramref name="until"/>) one character at a time,
    /// <paramref name="from"/> being no later than the start of the first; returns where the last one ends.
    /// </summary>
    private int ScanWords(FieldScan scan, int from, int until)
    {
        var text = scan.Field.Text;
        var i = from;
        while (i < until)
        {
            var start = i;
            if (!char.IsAsciiLetterOrDigit(text[i]))
            {
                if (char.IsAscii(text[i]) || !Tokenizer.IsWordCharAt(text, i))
                {
                    i++;
                    continue;
                }

                i = WalkFrom(scan, start);
                continue;
            }

            // The end of an ASCII run in one vectorised search; a word that goes on outside ASCII is read whole.
            var run = text.AsSpan(i + 1).IndexOfAnyExcept(AsciiLettersAndDigits);
            i = run < 0 ? text.Length : i + 1 + run;
            if (i < text.Length && !char.IsAscii(text[i]) && Tokenizer.IsWordCharAt(text, i))
            {
                i = WalkFrom(scan, start);
            }
            else if (MayStartPath(text, start, i))
            {
                WalkFrom(scan, start, i);
            }
        }

        return i;
    }

    /// <summary>
    /// Walks the trie only from the words that can start a path: plain ASCII words found by one vectorised search
    /// for the ASCII first words, and every word holding a non-ASCII character (folding may turn it into anything).
    /// Words are visited in text order, each at most once.
    /// </summary>
    private void ScanCandidates(FieldScan scan)
    {
        var text = scan.Field.Text;
        var pos = 0;
        var nextAscii = -1;
        var nextOther = -1;
        while (pos < text.Length)
        {
            if (nextAscii < pos)
            {
                var at = text.AsSpan(pos).IndexOfAny(_asciiStarts!);
                nextAscii = at < 0 ? int.MaxValue : pos + at;
            }

            if (nextOther < pos)
            {
                var at = text.AsSpan(pos).IndexOfAnyExceptInRange('\0', '\x7F');
                nextOther = at < 0 ? int.MaxValue : pos + at;
            }

            if (nextAscii == int.MaxValue && nextOther == int.MaxValue)
            {
                return;
            }

            if (nextAscii < nextOther)
            {
                // A first word found inside a longer word ("iran" in "Miranda") starts nothing.
                if (nextAscii > 0 && Tokenizer.IsWordCharBefore(text, nextAscii))
                {
                    pos = nextAscii + 1;
                    continue;
                }

                pos = WalkFrom(scan, nextAscii);
                continue;
            }

            if (!Tokenizer.IsWordCharAt(text, nextOther))
            {
                pos = nextOther + 1;
                continue;
            }

            pos = WalkFrom(scan, Tokenizer.WordStart(text, nextOther));
        }
    }

    /// <summary>Walks the trie from the word starting at <paramref name="wordStart"/>; returns where that word ends.</summary>
    private int WalkFrom(FieldScan scan, int wordStart)
    {
        var end = wordStart;
        Tokenizer.NextWord(scan.Field.Text, ref end, out _, out _);
        WalkFrom(scan, wordStart, end);
        return end;
    }

    /// <summary>Walks the trie from the word [<paramref name="wordStart"/>, <paramref name="end"/>).</summary>
    private void WalkFrom(FieldScan scan, int wordStart, int end)
    {
        var text = scan.Field.Text;
        var length = TextNormalizer.NormalizeInto(text.AsSpan(wordStart, end - wordStart), ref scan.First, 0);
        var key = scan.First.AsSpan(0, length);
        if (key.Length > 0 && key[0] is >= '\u0600' and <= '\u06FF')
        {
            var stems = TextNormalizer.ArabicProcliticStems(key.ToString());
            Walk(scan, wordStart, end, key);
            foreach (var stem in stems)
            {
                Walk(scan, wordStart, end, stem);
            }
        }
        else
        {
            Walk(scan, wordStart, end, key);
        }
    }

    /// <summary>
    /// Follows the trie from the word [<paramref name="start"/>, <paramref name="end"/>), read as
    /// <paramref name="first"/>, reading the words after it only as long as the trie goes on.
    /// </summary>
    private void Walk(FieldScan scan, int start, int end, ReadOnlySpan<char> first)
    {
        var text = scan.Field.Text;
        var node = _root;
        var key = first;
        var sentenceEnd = -1;
        while (true)
        {
            if (node.Children is null || !node.Lookup.TryGetValue(key, out node))
            {
                return;
            }

            if (node.Entries.Length > 0 || node.Blocks.Length > 0 || node.Marks.Length > 0)
            {
                scan.Add(node, start, end);
            }

            if (node.Children is null)
            {
                return;
            }

            // A phrase runs only across spaces, hyphens or apostrophes, and never into the next sentence.
            var next = end;
            if (!Tokenizer.NextWord(text, ref next, out var nextStart, out var joined) || !joined)
            {
                return;
            }

            if (sentenceEnd < 0)
            {
                sentenceEnd = scan.Field.SentenceEnd(start);
            }

            if (nextStart >= sentenceEnd)
            {
                return;
            }

            var length = TextNormalizer.NormalizeInto(text.AsSpan(nextStart, next - nextStart), ref scan.Next, 0);
            key = scan.Next.AsSpan(0, length);
            end = next;
        }
    }

    /// <summary>
    /// Runs one regex over one field's original text. NonBacktracking keeps it linear; the timeout and the cap on
    /// matches bound it anyway.
    /// </summary>
    /// <returns>False when the regex ran out of time: what it found before still stands, the rest of the field was not searched.</returns>
    private static bool RunRegex(RegexUse regex, FieldText field, List<Found> found)
    {
        if (field.Text.Length == 0)
        {
            return true;
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
                var sentence = field.Quote(match.Index);
                var matched = field.Text.Substring(match.Index, match.Length);
                foreach (var (group, atom) in regex.Users)
                {
                    found.Add(new Found(span, new Found.Source(group, atom, regex.Display, -1), matched, sentence));
                }

                if (++count == MaxRegexMatchesPerField)
                {
                    return true;
                }
            }

            return true;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private ItemMatches Collect(List<Found> found, List<string>? timedOut)
    {
        if (found.Count == 0)
        {
            return timedOut is null ? ItemMatches.None : new ItemMatches(new Dictionary<long, IReadOnlyList<TermHit>>(), timedOut);
        }

        // Rules are taken in the order they first hit, and so are owners (the order ByOwner lists them in).
        var rank = new Dictionary<int, int>();
        foreach (var hit in found)
        {
            rank.TryAdd(hit.Entry.Group, rank.Count);
        }

        // One sort puts each rule's hits together, each atom's within them, and each atom's hits in text order,
        // longest first at one place; the index keeps the sort stable, so a tie keeps the order hits were found in.
        var order = new (int Rank, int Atom, MatchField Field, int CharStart, int CharEnd, int Index)[found.Count];
        for (var i = 0; i < order.Length; i++)
        {
            var hit = found[i];
            order[i] = (rank[hit.Entry.Group], hit.Entry.Atom, hit.Span.Field, hit.Span.CharStart, -hit.Span.CharEnd, i);
        }

        Array.Sort(order);
        var matched = new List<(int Group, Found Hit)>();
        var explaining = new List<Found>();
        var seenSpans = new HashSet<Span>();
        for (var first = 0; first < order.Length;)
        {
            var group = found[order[first].Index].Entry.Group;
            var query = _rules[group].Query;
            var atoms = new IReadOnlyList<Found>[query.Atoms.Count];
            Array.Fill(atoms, []);
            var next = first;
            for (; next < order.Length && order[next].Rank == order[first].Rank; next++)
            {
                // Per atom, the longest spelling at each place wins and what it covers is not counted again:
                // "Esmail Qaani" is one hit on Qaani, not two.
                var (_, atom, field, charStart, _, index) = order[next];
                if (atoms[atom] is List<Found> hits)
                {
                    var last = hits[^1].Span;
                    if (last.Field == field && charStart < last.CharEnd)
                    {
                        continue;
                    }
                }
                else
                {
                    atoms[atom] = hits = [];
                }

                hits.Add(found[index]);
            }

            explaining.Clear();
            if (QueryEvaluator.Evaluate(query.Root, atoms, explaining))
            {
                // An OR of two names of one actor finds the same place twice; it is explained once.
                seenSpans.Clear();
                foreach (var hit in explaining)
                {
                    if (seenSpans.Add(hit.Span))
                    {
                        matched.Add((group, hit));
                    }
                }
            }

            first = next;
        }

        if (matched.Count == 0)
        {
            return ItemMatches.None;
        }

        // Each owner's hits: title first, then body, in text order, then in rule order; stable otherwise.
        var byHit = new (int OwnerRank, MatchField Field, int CharStart, int Group, int Index)[matched.Count];
        var owners = new Dictionary<long, int>();
        for (var i = 0; i < byHit.Length; i++)
        {
            var (group, hit) = matched[i];
            var owner = _rules[group].OwnerId;
            if (!owners.TryGetValue(owner, out var ownerRank))
            {
                owners.Add(owner, ownerRank = owners.Count);
            }

            byHit[i] = (ownerRank, hit.Span.Field, hit.Span.CharStart, group, i);
        }

        Array.Sort(byHit);
        var byOwner = new Dictionary<long, IReadOnlyList<TermHit>>(owners.Count);
        for (var first = 0; first < byHit.Length;)
        {
            var next = first;
            while (next < byHit.Length && byHit[next].OwnerRank == byHit[first].OwnerRank)
            {
                next++;
            }

            var hits = new TermHit[next - first];
            for (var i = first; i < next; i++)
            {
                var (group, hit) = matched[byHit[i].Index];
                hits[i - first] = new TermHit(_rules[group].Query.Text, hit.Entry.Alias, hit.MatchedText, hit.Span.Field, hit.Sentence);
            }

            byOwner.Add(_rules[matched[byHit[first].Index].Group].OwnerId, hits);
            first = next;
        }

        return new ItemMatches(byOwner, timedOut);
    }

    private sealed record CompiledRule(long OwnerId, WatchQuery Query);

    /// <summary>What a description's hit needs: the gap before each later part (index 0 unused) and its context rule.</summary>
    private sealed record DescriptionRule(int[] Gaps, bool HasNear, int Window)
    {
        public static DescriptionRule From(DescriptionPaths paths) =>
            new([.. paths.Segments.Select(s => s.GapBefore)], paths.Near.Count > 0, paths.Description.Window);
    }

    /// <summary>A regex and the (rule, atom) pairs that asked for it.</summary>
    private sealed record RegexUse(Regex Regex, string Display, List<(int Group, int Atom)> Users);

    /// <summary>
    /// The state of scanning one field: what was found so far and two buffers words are folded into (the first
    /// word of a walk, and the words after it), so that a scan allocates no string per word.
    /// </summary>
    private sealed class FieldScan(FieldText field)
    {
        /// <summary>Word positions of a literal hit before <see cref="NumberWords"/> (regex hits have -1).</summary>
        private const int Unnumbered = -2;

        // Fields, not properties: the fold grows them in place through a ref.
        public char[] First = new char[64];

        public char[] Next = new char[64];

        public FieldText Field { get; } = field;

        public List<Found> Hits { get; } = [];

        /// <summary>False friends found, by character positions.</summary>
        public List<Blocked> Blockers { get; } = [];

        /// <summary>Later parts and context words of descriptions found (see <see cref="Mark"/>).</summary>
        public List<(Span Span, int Id)> Marks { get; } = [];

        public void Add(Node node, int charStart, int charEnd)
        {
            if (node.Entries.Length > 0)
            {
                var span = new Span(Field.Field, Unnumbered, Unnumbered, charStart, charEnd);
                var matched = Field.Text[charStart..charEnd];
                var quote = Field.Quote(charStart);
                foreach (var entry in node.Entries)
                {
                    Hits.Add(new Found(span, entry, matched, quote));
                }
            }

            foreach (var actorId in node.Blocks)
            {
                Blockers.Add(new Blocked(charStart, charEnd, actorId));
            }

            foreach (var mark in node.Marks)
            {
                Marks.Add((new Span(Field.Field, Unnumbered, Unnumbered, charStart, charEnd), mark));
            }
        }

        /// <summary>
        /// Gives every hit its word positions (NEAR counts words between hits) in one pass over the field's words:
        /// the candidate scan reads only the words that may start a path, so it does not know them.
        /// </summary>
        public void NumberWords()
        {
            var text = Field.Text;
            var byStart = Hits.Select((hit, index) => (hit.Span.CharStart, index)).Order().ToArray();
            var next = 0;
            var word = 0;
            var i = 0;
            while (next < byStart.Length && Tokenizer.NextWord(text, ref i, out var wordStart, out _))
            {
                for (; next < byStart.Length && byStart[next].CharStart == wordStart; next++)
                {
                    var hit = Hits[byStart[next].index];
                    var end = word + 1;
                    for (var j = i; j < hit.Span.CharEnd && Tokenizer.NextWord(text, ref j, out _, out _);)
                    {
                        end++;
                    }

                    Hits[byStart[next].index] = hit with { Span = hit.Span with { Start = word, End = end } };
                }

                word++;
            }
        }
    }

    /// <summary>
    /// One field of an item, with its sentences found once, on first need, and a sentence's text copied only when a
    /// hit quotes it.
    /// </summary>
    private sealed class FieldText(string? text, MatchField field)
    {
        private List<(int Start, int Length)>? _sentences;
        private string?[]? _quotes;
        private string? _trimmed;

        public string Text { get; } = text ?? "";

        public MatchField Field { get; } = field;

        /// <summary>Where the sentence holding <paramref name="offset"/> ends: a phrase may not run past it.</summary>
        public int SentenceEnd(int offset)
        {
            var index = SentenceIndex(offset);
            return index < 0 ? Text.Length : _sentences![index].Start + _sentences[index].Length;
        }

        /// <summary>The sentence holding <paramref name="offset"/>, or the whole text when it is in none.</summary>
        public string Quote(int offset)
        {
            var index = SentenceIndex(offset);
            if (index < 0)
            {
                return _trimmed ??= Text.Trim();
            }

            var (start, length) = _sentences![index];
            _quotes ??= new string?[_sentences.Count];
            return _quotes[index] ??= Text.Substring(start, length);
        }

        private int SentenceIndex(int offset) =>
            SentenceSplitter.IndexContaining(_sentences ??= SentenceSplitter.Bounds(Text), offset);
    }

    /// <summary>A false friend of an actor found over characters [Start, End).</summary>
    private readonly record struct Blocked(int Start, int End, int ActorId);

    private sealed class Node(FrozenDictionary<string, Node>? children, Found.Source[] entries, int[] blocks, int[] marks)
    {
        public FrozenDictionary<string, Node>? Children { get; } = children;

        /// <summary>The children looked up by a span of the folded text, so that no string is made per word.</summary>
        public FrozenDictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } =
            children?.GetAlternateLookup<ReadOnlySpan<char>>() ?? default;

        public Found.Source[] Entries { get; } = entries;

        /// <summary>The actors for which this path is a false friend.</summary>
        public int[] Blocks { get; } = blocks;

        /// <summary>The description parts and context words this path is (see <see cref="Mark"/>).</summary>
        public int[] Marks { get; } = marks;
    }

    private sealed class NodeBuilder
    {
        private readonly Dictionary<string, NodeBuilder> _children = new(StringComparer.Ordinal);
        private readonly List<Found.Source> _entries = [];

        public HashSet<int> Blocks { get; } = [];

        public HashSet<int> Marks { get; } = [];

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
            if (_entries.Count == 0 || _entries[^1].Group != entry.Group || _entries[^1].Atom != entry.Atom ||
                _entries[^1].Description != entry.Description)
            {
                _entries.Add(entry);
            }
        }

        public Node Freeze() => new(
            _children.Count == 0 ? null : _children.ToFrozenDictionary(c => c.Key, c => c.Value.Freeze(), StringComparer.Ordinal),
            [.. _entries],
            [.. Blocks],
            [.. Marks]);
    }
}
