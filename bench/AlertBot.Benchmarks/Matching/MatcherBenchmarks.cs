using System.Buffers;
using System.Text.RegularExpressions;
using AlertBot.Core.Matching;
using BenchmarkDotNet.Attributes;

namespace AlertBot.Benchmarks.Matching;

/// <summary>
/// One news item's text against 10, 1,000 and 10,000 watch terms: the compiled matcher (one token trie for every
/// term, aliases and false friends included) against one compiled regex per term and against a single
/// <see cref="SearchValues{T}"/> of all terms. The last two do less (no aliases, no sentences; SearchValues not even
/// word boundaries) and are there as the floor and the naive approach.
/// </summary>
[MemoryDiagnoser]
public class MatcherBenchmarks
{
    private string _text = "";
    private CompiledMatcher _matcher = CompiledMatcher.Empty;
    private Regex[] _regexes = [];
    private SearchValues<string> _searchValues = SearchValues.Create([" "], StringComparison.OrdinalIgnoreCase);

    [Params(10, 1_000, 10_000)]
    public int Terms { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = NewsCorpus.Text;
        var terms = NewsCorpus.Terms(Terms);

        // A realistic spread of owners: a hundred channels sharing the terms between them.
        _matcher = CompiledMatcher.Build(terms.Select((term, i) => new MatchRule(i % 100, term)), NewsCorpus.Actors, out var faults);
        if (faults.Count > 0)
        {
            throw new InvalidOperationException($"{faults.Count} terms did not parse, first: {faults[0].Error}");
        }

        _regexes = Baselines.Regexes(terms);
        _searchValues = Baselines.SearchValues(terms);
    }

    [Benchmark(Baseline = true)]
    public int TokenTrieMatcher() => _matcher.MatchText(_text).ByOwner.Values.Sum(hits => hits.Count);

    [Benchmark]
    public int RegexPerTerm() => Baselines.CountRegexHits(_regexes, _text);

    [Benchmark]
    public int SearchValuesIndexOfAny() => Baselines.CountSearchValuesHits(_searchValues, _text);
}
