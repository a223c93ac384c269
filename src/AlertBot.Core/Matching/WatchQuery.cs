using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AlertBot.Core.Text;
using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Matching;

/// <summary>
/// A watch term read as a query. A plain word, phrase or actor name means what it always meant; operators combine
/// such terms.
/// </summary>
/// <remarks>
/// The grammar, loosest binding first:
/// <code>
/// query   := or
/// or      := and ("OR" and)*
/// and     := unary (["AND"] unary)*          adjacent operands are ANDed ...
/// unary   := "NOT" unary | "-" unary | near
/// near    := operand ("NEAR" ["/" n] operand)* within n words (default 10), either order, same field
/// operand := field ":" operand | "@" name | "=" (word ... | "phrase") | "(" or ")" | "phrase" | /regex/[i] | word word ...
/// </code>
/// ... except bare words, which run together into one phrase as plain terms always did: <c>Red Sea</c> is the phrase,
/// <c>Houthis "Red Sea"</c> is Houthis AND the phrase. Operators count only in upper case (<c>Bosnia and
/// Herzegovina</c> stays a phrase). A prefix (<c>-</c>, <c>title:</c>, <c>body:</c>, <c>@</c>) takes the operand right
/// after it, so <c>-Red Sea</c> excludes the phrase. Any word or phrase that is a name or alias of an actor matches
/// all of that actor's spellings (and forms, demonyms and descriptions); <c>@name</c> insists on an actor and is an
/// error when there is none; <c>=word</c> asks for the word or phrase exactly as written (case and accents aside): no
/// other spelling, generated form, demonym or description of an actor it names, whose false friends still count.
/// A regex runs over the original text (what users see and copy), not the folded one: <c>/i</c> ignores case,
/// and it runs with <see cref="RegexOptions.NonBacktracking"/> and a match timeout, so no pattern can stall matching.
/// </remarks>
public sealed class WatchQuery
{
    /// <summary>
    /// How long one regex may run over one field by default (see <see cref="CompiledMatcher.Build(IEnumerable{MatchRule}, ActorDictionary, out IReadOnlyList{RuleFault}, TimeSpan?)"/>).
    /// NonBacktracking is linear in the text, so a regex within <see cref="MaxRegexLength"/> over a whole feed item
    /// takes milliseconds; the budget is generous so that a machine whose every core is busy (or the first match,
    /// which builds the automaton) never runs out of it, and it costs nothing when the match is quick. It only stops
    /// a run that would otherwise stall a poll, and a run it stops is reported, not taken as "no match".
    /// </summary>
    public static readonly TimeSpan DefaultRegexTimeout = TimeSpan.FromSeconds(5);

    internal const int MaxRegexLength = 200;
    private const int MaxNearDistance = 1000;
    private const int DefaultNearDistance = 10;
    private const string QuoteChars = "\"“”„";
    private const string ClosingQuoteChars = "\"“”";

    private WatchQuery(string text, QueryNode root, IReadOnlyList<AtomNode> atoms)
    {
        Text = text;
        Root = root;
        Atoms = atoms;
    }

    /// <summary>The query as the user wrote it, trimmed.</summary>
    public string Text { get; }

    /// <summary>
    /// One key per meaning: two queries with the same key match the same things ("Houthis" and "ansar allah" share
    /// one), so an owner's repeats can be dropped.
    /// </summary>
    public string Key => Root.Key;

    /// <summary>Whether the query is one word, phrase or actor with no operator: the plain watch term of old.</summary>
    public bool IsPlain => Root is LiteralNode { Field: null };

    /// <summary>
    /// The actor a plain term stands for with all its spellings (<c>Houthis</c>, <c>@"Ansar Allah"</c>); null for any
    /// other query, and for an exact term (<c>=Iran</c>), which stands for its own word alone.
    /// </summary>
    public Actor? NamedActor => Root is LiteralNode { Field: null, Exact: false } literal ? literal.Actor : null;

    internal QueryNode Root { get; }

    /// <summary>The literals and regexes of the query; an atom's position here is its <see cref="AtomNode.Index"/>.</summary>
    internal IReadOnlyList<AtomNode> Atoms { get; }

    /// <summary>
    /// Reads a query. On failure <paramref name="error"/> says what is wrong and where (a 1-based column), e.g.
    /// <c>expected ')' at column 17</c>.
    /// </summary>
    public static bool TryParse(
        string text,
        ActorDictionary actors,
        [NotNullWhen(true)] out WatchQuery? query,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(actors);
        query = null;
        try
        {
            var parser = new Parser(text, actors);
            var root = parser.ParseQuery();
            if (!CanOnlyMatchByPresence(root))
            {
                throw new QueryException(
                    "the query only excludes; add a word, phrase or actor to look for (column 1)");
            }

            query = new WatchQuery(text.Trim(), root, parser.Atoms);
            error = null;
            return true;
        }
        catch (QueryException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>
    /// Whether every way the query can be true needs some hit. A query true by absence alone (NOT Iran) would alert on
    /// every item, and the matcher only looks at queries that have a hit.
    /// </summary>
    private static bool CanOnlyMatchByPresence(QueryNode node) => node switch
    {
        AndNode and => and.Children.Any(CanOnlyMatchByPresence),
        OrNode or => or.Children.All(CanOnlyMatchByPresence),
        NotNode => false,
        _ => true,
    };

    private sealed class QueryException(string message) : Exception(message);

    private enum Kind
    {
        Word,
        Phrase,
        Regex,
        Open,
        Close,
        And,
        Or,
        Not,
        Near,
        Minus,
        At,
        Exact,
        Field,
        End,
    }

    /// <summary>A lexical token: its kind, where it starts and ends in the query, its text, and a number or field.</summary>
    private readonly record struct Lexeme(Kind Kind, int Start, int End, string Text, int Number = 0, MatchField Field = default)
    {
        public int Column => Start + 1;
    }

    private sealed class Parser
    {
        private readonly string _text;
        private readonly ActorDictionary _actors;
        private readonly List<Lexeme> _lexemes;
        private int _next;

        public Parser(string text, ActorDictionary actors)
        {
            _text = text;
            _actors = actors;
            _lexemes = Lex(text);
        }

        public List<AtomNode> Atoms { get; } = [];

        private Lexeme Peek => _lexemes[_next];

        public QueryNode ParseQuery()
        {
            if (Peek.Kind == Kind.End)
            {
                throw new QueryException("the query is empty");
            }

            var root = ParseOr(null);
            return Peek.Kind switch
            {
                Kind.End => root,
                Kind.Close => throw new QueryException($"unexpected ')' at column {Peek.Column}"),
                _ => throw new QueryException($"unexpected '{Peek.Text}' at column {Peek.Column}"),
            };
        }

        private QueryNode ParseOr(MatchField? field)
        {
            var children = new List<QueryNode> { ParseAnd(field) };
            while (Peek.Kind == Kind.Or)
            {
                var op = _lexemes[_next++];
                children.Add(ParseAnd(field, op));
            }

            return children.Count == 1 ? children[0] : new OrNode(children);
        }

        private QueryNode ParseAnd(MatchField? field, Lexeme? after = null)
        {
            var children = new List<QueryNode> { ParseUnary(field, after) };
            while (true)
            {
                if (Peek.Kind == Kind.And)
                {
                    var op = _lexemes[_next++];
                    children.Add(ParseUnary(field, op));
                }
                else if (StartsOperand(Peek.Kind) || Peek.Kind is Kind.Not or Kind.Minus)
                {
                    children.Add(ParseUnary(field, null));
                }
                else
                {
                    return children.Count == 1 ? children[0] : new AndNode(children);
                }
            }
        }

        private QueryNode ParseUnary(MatchField? field, Lexeme? after)
        {
            if (Peek.Kind is Kind.Not or Kind.Minus)
            {
                var op = _lexemes[_next++];
                return new NotNode(ParseUnary(field, op));
            }

            var left = ParseOperand(field, after);
            while (Peek.Kind == Kind.Near)
            {
                var op = _lexemes[_next++];
                var right = ParseOperand(field, op);
                if (!IsPositional(left) || !IsPositional(right))
                {
                    throw new QueryException(
                        $"NEAR at column {op.Column} needs a word, phrase or actor (or an OR of them) on each side");
                }

                left = new NearNode(left, right, op.Number);
            }

            return left;
        }

        private QueryNode ParseOperand(MatchField? field, Lexeme? after)
        {
            var lexeme = Peek;
            if (!StartsOperand(lexeme.Kind))
            {
                var what = after is { } op ? $" after '{op.Text}'" : "";
                var found = lexeme.Kind switch
                {
                    Kind.End => "the end",
                    _ => $"'{lexeme.Text}'",
                };
                throw new QueryException(
                    $"expected a word, phrase or '('{what} at column {lexeme.Column}, found {found}");
            }

            _next++;
            switch (lexeme.Kind)
            {
                case Kind.Field:
                    return ParseOperand(lexeme.Field, lexeme);

                case Kind.Open:
                    var inner = ParseOr(field);
                    if (Peek.Kind != Kind.Close)
                    {
                        throw new QueryException($"expected ')' at column {Peek.Column}");
                    }

                    _next++;
                    return inner;

                case Kind.Regex:
                    return AddAtom(new RegexNode(lexeme.Text, BuildRegex(lexeme), field, Atoms.Count));

                case Kind.Phrase:
                    return Literal(lexeme.Text, lexeme.Column, field, mustBeActor: false);

                case Kind.At:
                    var name = Peek;
                    if (name.Kind is not (Kind.Word or Kind.Phrase))
                    {
                        throw new QueryException($"expected an actor's name after '@' at column {name.Column}");
                    }

                    var (nameText, nameColumn) = name.Kind == Kind.Phrase ? (_lexemes[_next++].Text, name.Column) : WordRun();
                    return Literal(nameText, nameColumn, field, mustBeActor: true);

                case Kind.Exact:
                    var exact = Peek;
                    if (exact.Kind is not (Kind.Word or Kind.Phrase))
                    {
                        throw new QueryException($"expected a word or phrase after '=' at column {exact.Column}");
                    }

                    var (exactText, exactColumn) = exact.Kind == Kind.Phrase ? (_lexemes[_next++].Text, exact.Column) : WordRun();
                    return Literal(exactText, exactColumn, field, mustBeActor: false, exact: true);

                default:
                    _next--;
                    var (text, column) = WordRun();
                    return Literal(text, column, field, mustBeActor: false);
            }
        }

        /// <summary>Bare words in a row, taken as written (spaces and all) from the first to the last.</summary>
        private (string Text, int Column) WordRun()
        {
            var first = _lexemes[_next];
            var last = first;
            while (Peek.Kind == Kind.Word)
            {
                last = _lexemes[_next++];
            }

            return (_text[first.Start..last.End], first.Column);
        }

        private LiteralNode Literal(string text, int column, MatchField? field, bool mustBeActor, bool exact = false)
        {
            var path = Tokenizer.Tokenize(text).Select(t => t.Normalized).ToArray();
            if (path.Length == 0)
            {
                throw new QueryException($"\"{text}\" at column {column} has no letters or digits to look for");
            }

            var actor = _actors.Resolve(text);
            if (actor is null && mustBeActor)
            {
                throw new QueryException($"unknown actor \"{text}\" at column {column}");
            }

            return AddAtom(new LiteralNode(text.Trim(), path, actor, field, Atoms.Count) { Exact = exact });
        }

        private T AddAtom<T>(T atom)
            where T : AtomNode
        {
            Atoms.Add(atom);
            return atom;
        }

        private static Regex BuildRegex(Lexeme lexeme)
        {
            if (lexeme.Text.Length == 0)
            {
                throw new QueryException($"empty regex at column {lexeme.Column}");
            }

            if (lexeme.Text.Length > MaxRegexLength)
            {
                throw new QueryException(
                    $"regex at column {lexeme.Column} is longer than {MaxRegexLength} characters");
            }

            var options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant |
                          (lexeme.Number == 1 ? RegexOptions.IgnoreCase : RegexOptions.None);
            try
            {
                return new Regex(lexeme.Text, options, DefaultRegexTimeout);
            }
            catch (ArgumentException ex)
            {
                throw new QueryException($"invalid regex at column {lexeme.Column}: {EngineWords(ex)}");
            }
            catch (NotSupportedException ex)
            {
                // NonBacktracking refuses backreferences, lookarounds and atomic groups: the price of linear time.
                throw new QueryException($"regex at column {lexeme.Column} is not supported: {EngineWords(ex)}");
            }
        }

        // The engine's sentence without its closing period: the caller ends the sentence it is quoted in.
        private static string EngineWords(Exception ex) => ex.Message.Trim().TrimEnd('.');

        private static bool StartsOperand(Kind kind) =>
            kind is Kind.Word or Kind.Phrase or Kind.Regex or Kind.Open or Kind.At or Kind.Exact or Kind.Field;

        private static bool IsPositional(QueryNode node) => node switch
        {
            LiteralNode => true,
            OrNode or => or.Children.All(IsPositional),
            _ => false,
        };
    }

    private static List<Lexeme> Lex(string text)
    {
        var lexemes = new List<Lexeme>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '(')
            {
                lexemes.Add(new Lexeme(Kind.Open, i, i + 1, "("));
                i++;
            }
            else if (c == ')')
            {
                lexemes.Add(new Lexeme(Kind.Close, i, i + 1, ")"));
                i++;
            }
            else if (QuoteChars.Contains(c, StringComparison.Ordinal))
            {
                var close = text.AsSpan(i + 1).IndexOfAny(ClosingQuoteChars);
                if (close < 0)
                {
                    throw new QueryException($"missing closing quote for the phrase at column {i + 1}");
                }

                var phrase = text.Substring(i + 1, close);
                if (string.IsNullOrWhiteSpace(phrase))
                {
                    throw new QueryException($"empty phrase at column {i + 1}");
                }

                lexemes.Add(new Lexeme(Kind.Phrase, i, i + close + 2, phrase));
                i += close + 2;
            }
            else if (c == '/')
            {
                i = LexRegex(text, i, lexemes);
            }
            else if (c is '-' or '@' or '=' && i + 1 < text.Length && StartsPrefixed(text[i + 1], c))
            {
                lexemes.Add(new Lexeme(c switch { '-' => Kind.Minus, '@' => Kind.At, _ => Kind.Exact }, i, i + 1, c.ToString()));
                i++;
            }
            else
            {
                i = LexWord(text, i, lexemes);
            }
        }

        lexemes.Add(new Lexeme(Kind.End, text.Length, text.Length, ""));
        return lexemes;
    }

    /// <summary>Whether a '-', '@' or '=' before <paramref name="next"/> is a prefix rather than part of a word ("--").</summary>
    private static bool StartsPrefixed(char next, char prefix) =>
        char.IsLetterOrDigit(next) || QuoteChars.Contains(next, StringComparison.Ordinal) ||
        (prefix == '-' && next is '(' or '@' or '=' or '/');

    private static int LexRegex(string text, int start, List<Lexeme> lexemes)
    {
        var pattern = new StringBuilder();
        var i = start + 1;
        for (; i < text.Length && text[i] != '/'; i++)
        {
            // "\/" is a slash inside the pattern; every other escape is the regex's own business.
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                pattern.Append(text[i + 1] == '/' ? "/" : text.AsSpan(i, 2));
                i++;
                continue;
            }

            pattern.Append(text[i]);
        }

        if (i >= text.Length)
        {
            throw new QueryException($"missing closing '/' for the regex at column {start + 1}");
        }

        i++;
        var ignoreCase = 0;
        while (i < text.Length && char.IsAsciiLetter(text[i]))
        {
            if (text[i] != 'i')
            {
                throw new QueryException($"unknown regex flag '{text[i]}' at column {i + 1} (only 'i' is allowed)");
            }

            ignoreCase = 1;
            i++;
        }

        lexemes.Add(new Lexeme(Kind.Regex, start, i, pattern.ToString(), ignoreCase));
        return i;
    }

    private static int LexWord(string text, int start, List<Lexeme> lexemes)
    {
        var end = start;
        while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] is not ('(' or ')') &&
               !QuoteChars.Contains(text[end], StringComparison.Ordinal))
        {
            end++;
        }

        var word = text[start..end];
        var colon = word.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && (colon < word.Length - 1 || (end < text.Length && !char.IsWhiteSpace(text[end]))))
        {
            if (FieldNamed(word[..colon]) is { } field)
            {
                lexemes.Add(new Lexeme(Kind.Field, start, start + colon + 1, word[..(colon + 1)], Field: field));
                return start + colon + 1;
            }
        }

        lexemes.Add(word switch
        {
            "AND" => new Lexeme(Kind.And, start, end, word),
            "OR" => new Lexeme(Kind.Or, start, end, word),
            "NOT" => new Lexeme(Kind.Not, start, end, word),
            "NEAR" => new Lexeme(Kind.Near, start, end, word, DefaultNearDistance),
            _ when word.StartsWith("NEAR/", StringComparison.Ordinal) =>
                new Lexeme(Kind.Near, start, end, word, NearDistance(word, start)),
            _ => new Lexeme(Kind.Word, start, end, word),
        });
        return end;
    }

    private static MatchField? FieldNamed(string name) => name.ToUpperInvariant() switch
    {
        "TITLE" => MatchField.Title,
        "BODY" => MatchField.Body,
        _ => null,
    };

    private static int NearDistance(string word, int start) =>
        int.TryParse(word.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var distance) &&
        distance <= MaxNearDistance
            ? distance
            : throw new QueryException(
                $"NEAR at column {start + 1} needs a number of words from 0 to {MaxNearDistance}, like NEAR/10");
}

/// <summary>A node of a parsed query. <see cref="Key"/> is the same for any two nodes that match the same things.</summary>
internal abstract record QueryNode
{
    public abstract string Key { get; }
}

/// <summary>A leaf that finds hits by itself: a literal or a regex. Its index numbers it within its query.</summary>
internal abstract record AtomNode(MatchField? Field, int Index) : QueryNode
{
    protected string FieldKey => Field is { } where ? where + ":" : "";
}

/// <summary>A word or phrase; when it names an actor, it stands for every spelling of that actor.</summary>
internal sealed record LiteralNode(string Text, string[] Path, Actor? Actor, MatchField? Field, int Index)
    : AtomNode(Field, Index)
{
    /// <summary>Only this spelling (<c>=Iran</c>): none of the actor's other spellings, forms, demonyms or descriptions.</summary>
    public bool Exact { get; init; }

    public override string Key => FieldKey + (Exact ? "=" + string.Join(' ', Path) : Actor is null ? string.Join(' ', Path) : "\0" + Actor.Name);
}

internal sealed record RegexNode(string Pattern, Regex Regex, MatchField? Field, int Index) : AtomNode(Field, Index)
{
    public override string Key => $"{FieldKey}/{Pattern}/{Regex.Options}";

    /// <summary>How the regex reads in an explanation: as the user wrote it, slashes and flag included.</summary>
    public string Display => $"/{Pattern}/" + ((Regex.Options & RegexOptions.IgnoreCase) != 0 ? "i" : "");
}

internal sealed record AndNode(IReadOnlyList<QueryNode> Children) : QueryNode
{
    public override string Key => "(AND " + string.Join(' ', Children.Select(c => c.Key)) + ")";
}

internal sealed record OrNode(IReadOnlyList<QueryNode> Children) : QueryNode
{
    public override string Key => "(OR " + string.Join(' ', Children.Select(c => c.Key)) + ")";
}

internal sealed record NotNode(QueryNode Child) : QueryNode
{
    public override string Key => "(NOT " + Child.Key + ")";
}

/// <summary>Both sides within <see cref="Distance"/> words of each other, in either order, in the same field.</summary>
internal sealed record NearNode(QueryNode Left, QueryNode Right, int Distance) : QueryNode
{
    public override string Key => $"(NEAR/{Distance} {Left.Key} {Right.Key})";
}
