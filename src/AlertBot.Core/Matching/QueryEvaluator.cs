namespace AlertBot.Core.Matching;

/// <summary>
/// Where a hit stands in one field: tokens [Start, End) (-1 for a regex hit, which has no token positions) and
/// characters [CharStart, CharEnd) of the original text.
/// </summary>
internal readonly record struct Span(MatchField Field, int Start, int End, int CharStart, int CharEnd);

/// <summary>One hit of one atom (literal or regex) of one rule's query, with the text and sentence it stands in.</summary>
internal sealed record Found(Span Span, Found.Source Entry, string MatchedText, string Sentence)
{
    /// <summary>
    /// Which rule and atom the hit belongs to, the spelling that matched, the actor (or -1), and for the first part
    /// of an actor's description, which description (or -1): such a hit stands only once the rest is confirmed.
    /// </summary>
    internal sealed record Source(int Group, int Atom, string Alias, int ActorId, int Description = -1);
}

/// <summary>
/// Decides whether a query holds over the hits its atoms found in one item, and collects the hits that explain it:
/// every hit of a true positive branch, none from under a NOT (absence explains nothing).
/// </summary>
internal static class QueryEvaluator
{
    /// <param name="query">The query's root.</param>
    /// <param name="atoms">The hits of each atom, indexed by <see cref="AtomNode.Index"/>.</param>
    /// <param name="explaining">Receives the hits that make the query true (may repeat a hit).</param>
    public static bool Evaluate(QueryNode query, IReadOnlyList<Found>[] atoms, List<Found> explaining)
    {
        switch (query)
        {
            case AtomNode atom:
                var hits = Hits(atom, atoms);
                explaining.AddRange(hits);
                return hits.Count > 0;

            case AndNode and:
                var all = new List<Found>();
                foreach (var child in and.Children)
                {
                    if (!Evaluate(child, atoms, all))
                    {
                        return false;
                    }
                }

                explaining.AddRange(all);
                return true;

            case OrNode or:
                var any = false;
                foreach (var child in or.Children)
                {
                    any |= Evaluate(child, atoms, explaining);
                }

                return any;

            case NotNode not:
                return !Evaluate(not.Child, atoms, []);

            case NearNode near:
                return Near(near, atoms, explaining);

            default:
                throw new InvalidOperationException($"Unknown query node {query.GetType().Name}.");
        }
    }

    /// <summary>The hits of one atom, those outside its field (title: or body:) left out.</summary>
    private static IReadOnlyList<Found> Hits(AtomNode atom, IReadOnlyList<Found>[] atoms) =>
        atom.Field is { } field ? [.. atoms[atom.Index].Where(h => h.Span.Field == field)] : atoms[atom.Index];

    /// <summary>The hits of a NEAR side, which the parser guarantees is a literal or an OR of literals.</summary>
    private static IReadOnlyList<Found> Positions(QueryNode side, IReadOnlyList<Found>[] atoms) => side switch
    {
        AtomNode atom => Hits(atom, atoms),
        OrNode or => [.. or.Children.SelectMany(c => Positions(c, atoms))],
        _ => throw new InvalidOperationException("NEAR takes only literals and ORs of them."),
    };

    private static bool Near(NearNode near, IReadOnlyList<Found>[] atoms, List<Found> explaining)
    {
        var left = Positions(near.Left, atoms);
        var right = Positions(near.Right, atoms);
        var kept = new HashSet<Found>(ReferenceEqualityComparer.Instance);
        foreach (var l in left)
        {
            foreach (var r in right)
            {
                // The same words found twice (Houthis NEAR Ansar Allah, one actor) are not near themselves.
                if (l.Span.Field != r.Span.Field || l.Span == r.Span)
                {
                    continue;
                }

                var gap = l.Span.End <= r.Span.Start ? r.Span.Start - l.Span.End
                    : r.Span.End <= l.Span.Start ? l.Span.Start - r.Span.End
                    : 0;
                if (gap <= near.Distance)
                {
                    kept.Add(l);
                    kept.Add(r);
                }
            }
        }

        explaining.AddRange(kept.OrderBy(f => f.Span.Field).ThenBy(f => f.Span.CharStart));
        return kept.Count > 0;
    }
}
