using AlertBot.Core.Items;
using AlertBot.Core.Matching;

namespace AlertBot.Core.Tests.Matching;

public sealed class WatchQueryTests
{
    private const long Owner = 42;

    private static CompiledMatcher CreateSut(params string[] queries) =>
        CompiledMatcher.Build(queries.Select(q => new MatchRule(Owner, q)), ShippedFiles.Actors);

    private static IReadOnlyList<TermHit> Hits(string query, string text) => CreateSut(query).MatchText(text).For(Owner);

    private static string ParseError(string query)
    {
        Assert.False(WatchQuery.TryParse(query, ShippedFiles.Actors, out var parsed, out var error));
        Assert.Null(parsed);
        return error;
    }

    [Theory]
    [InlineData("Houthis AND tanker", "Houthi boats fired on a tanker.", true)]
    [InlineData("Houthis AND tanker", "Houthi boats fired on a warship.", false)]
    [InlineData("Houthis OR Hezbollah", "Hizballah fired rockets.", true)]
    [InlineData("Houthis OR Hezbollah", "Hamas fired rockets.", false)]
    [InlineData("Houthis NOT Iran", "Houthis fired.", true)]
    [InlineData("Houthis NOT Iran", "Iran-backed Houthis fired.", false)]
    [InlineData("Houthis -Iran", "Iran-backed Houthis fired.", false)]
    [InlineData("Houthis -=Iran", "Iranian-backed Houthis fired.", true)]
    [InlineData("Houthis -Iran", "Iranian-backed Houthis fired.", false)]
    [InlineData("Houthis AND NOT (Iran OR Israel)", "Houthis and Israel traded fire.", false)]
    [InlineData("(Houthis OR Hezbollah) AND (drone OR missile)", "Hezbollah launched a missile.", true)]
    [InlineData("(Houthis OR Hezbollah) AND (drone OR missile)", "Hezbollah launched a rocket.", false)]
    [InlineData("tanker \"Red Sea\"", "A tanker in the Red Sea.", true)]
    [InlineData("tanker “Red Sea”", "A tanker off Bab el-Mandeb.", true)]
    [InlineData("tanker \"Red Sea\"", "A tanker in the Gulf.", false)]
    [InlineData("Red Sea", "the Red Sea", true)]
    [InlineData("Red Sea", "red lines at sea", false)]
    [InlineData("Bosnia and Herzegovina", "Bosnia and Herzegovina voted", true)]
    [InlineData("Bosnia and Herzegovina", "Bosnia voted, and Herzegovina", false)]
    [InlineData("-Red Sea Houthis", "Houthis in the Red Sea", false)]
    [InlineData("-Red Sea Houthis", "Houthis and a red sea bream", false)]
    [InlineData("-\"Red Sea\" Houthis", "Houthis in Sanaa", true)]
    public void Boolean_operators_combine_literals(string query, string text, bool matches) =>
        Assert.Equal(matches, Hits(query, text).Count > 0);

    [Theory]
    [InlineData("title:Houthis", "Houthis strike", "Nothing here.", true)]
    [InlineData("title:Houthis", "Strike", "Houthis did it.", false)]
    [InlineData("body:Houthis", "Houthis strike", "Nothing here.", false)]
    [InlineData("title:\"Red Sea\"", "Red Sea attack", "", true)]
    [InlineData("TITLE:(Qaani OR Houthis) AND Iraq", "Ghaani visits", "He went to Iraq.", true)]
    [InlineData("title:(Qaani OR Houthis) AND Iraq", "Visit", "Ghaani went to Iraq.", false)]
    public void Field_prefixes_restrict_a_literal_to_the_title_or_body(string query, string title, string body, bool matches)
    {
        var item = new NewsItem { Id = "1", Title = title, Text = body };

        Assert.Equal(matches, !CreateSut(query).Match(item).IsEmpty);
    }

    [Theory]
    [InlineData("Houthis NEAR/4 \"Red Sea\"", "The Houthis attacked ships in the Red Sea.", true)]
    [InlineData("Houthis NEAR/3 \"Red Sea\"", "The Houthis attacked ships in the Red Sea.", false)]
    [InlineData("Houthis NEAR/3 \"Red Sea\"", "In the Red Sea, ships fled the Houthis.", true)]
    [InlineData("Houthis NEAR/0 tanker", "A Houthi tanker attack", true)]
    [InlineData("Houthis NEAR tanker", "Houthis one two three four five six seven eight nine ten tanker", true)]
    [InlineData("Houthis NEAR tanker", "Houthis one two three four five six seven eight nine ten eleven tanker", false)]
    [InlineData("(Houthis OR Hezbollah) NEAR/5 drone", "A drone, Hezbollah said.", true)]
    [InlineData("Houthis NEAR/5 Huthi", "Houthis rally.", false)]
    public void Near_finds_two_literals_within_n_words_in_either_order(string query, string text, bool matches) =>
        Assert.Equal(matches, Hits(query, text).Count > 0);

    [Fact]
    public void Near_explains_itself_with_the_pair_that_is_close()
    {
        var hits = Hits("Houthis NEAR/2 tanker", "A tanker sailed far from danger. Later the Houthis hit a tanker.");

        Assert.Equal(["Houthis", "tanker"], hits.Select(h => h.MatchedText));
        Assert.All(hits, h => Assert.Equal("Later the Houthis hit a tanker.", h.Sentence));
    }

    [Theory]
    [InlineData("@houthis", "Ansar Allah fired", "Ansar Allah")]
    [InlineData("@HUTHI", "Ansarullah fired", "Ansarullah")]
    [InlineData("@\"Ansar Allah\" AND tanker", "Huthi boats hit a tanker", "Huthi")]
    [InlineData("@Red Sea", "in Bab al-Mandab", "Bab al-Mandab")]
    [InlineData("@الحوثیون", "قال أنصار الله", "أنصار الله")]
    [InlineData("@قاانی AND Iraq", "Ghaani went to Iraq", "Ghaani")]
    public void An_actor_reference_expands_to_every_alias(string query, string text, string matched) =>
        Assert.Contains(Hits(query, text), h => h.MatchedText == matched && h.Term == query);

    [Theory]
    [InlineData("/Houthi\\w*/", "The Houthiyeen said", "Houthiyeen", true)]
    [InlineData("/houthi\\w*/", "The Houthiyeen said", "", false)]
    [InlineData("/houthi\\w*/i", "The Houthiyeen said", "Houthiyeen", true)]
    [InlineData("/\\bF-\\d+s?\\b/ AND Iran", "Iran's F-14s flew.", "F-14s", true)]
    [InlineData("/\\bF-\\d+s?\\b/ AND Iran", "The F-14s flew.", "", false)]
    [InlineData("/a\\/b/", "path a/b here", "a/b", true)]
    public void A_regex_runs_over_the_original_text(string query, string text, string matched, bool matches)
    {
        var hits = Hits(query, text);

        Assert.Equal(matches, hits.Count > 0);
        if (matches)
        {
            Assert.Contains(hits, h => h.MatchedText == matched);
        }
    }

    [Fact]
    public void A_query_hit_carries_the_query_as_written_and_only_its_positive_hits()
    {
        const string query = "Houthis AND (tanker OR ship) -Iran";

        var hits = Hits(query, "Ansar Allah said it struck the tanker.");

        Assert.Equal([("Ansar Allah", "Ansar Allah"), ("tanker", "tanker")], hits.Select(h => (h.Alias, h.MatchedText)));
        Assert.All(hits, h => Assert.Equal(query, h.Term));
        Assert.All(hits, h => Assert.Equal("Ansar Allah said it struck the tanker.", h.Sentence));
    }

    [Fact]
    public void A_regex_hit_names_the_regex_as_its_alias()
    {
        var hit = Assert.Single(Hits("/UNSC\\s+\\d+/", "Under UNSC 2216, it said."));

        Assert.Equal(("/UNSC\\s+\\d+/", "UNSC 2216"), (hit.Alias, hit.MatchedText));
    }

    [Fact]
    public void A_regex_reports_a_bounded_number_of_hits_per_field()
    {
        var text = string.Join(' ', Enumerable.Repeat("drone", 100));

        var hits = Hits("/dro\\w+/", text);

        Assert.InRange(hits.Count, 1, 32);
        Assert.All(hits, h => Assert.Equal("drone", h.MatchedText));
    }

    [Theory]
    [InlineData("(Houthis OR Iran", "expected ')' at column 17")]
    [InlineData("Houthis OR Iran)", "unexpected ')' at column 16")]
    [InlineData("Houthis AND", "expected a word, phrase or '(' after 'AND' at column 12, found the end")]
    [InlineData("OR Iran", "expected a word, phrase or '(' at column 1, found 'OR'")]
    [InlineData("@nobody AND Iran", "unknown actor \"nobody\" at column 2")]
    [InlineData("Iran AND \"Red Sea", "missing closing quote for the phrase at column 10")]
    [InlineData("Iran \"\"", "empty phrase at column 6")]
    [InlineData("/abc", "missing closing '/' for the regex at column 1")]
    [InlineData("/abc/x", "unknown regex flag 'x' at column 6")]
    [InlineData("/(a/", "invalid regex at column 1")]
    [InlineData("/(a)\\1/", "regex at column 1 is not supported")]
    [InlineData("NOT Iran", "the query only excludes")]
    [InlineData("-Iran OR -Iraq", "the query only excludes")]
    [InlineData("Iran NEAR/x Iraq", "NEAR at column 6 needs a number of words")]
    [InlineData("Iran NEAR/5 /Ira./", "NEAR at column 6 needs a word, phrase or actor")]
    [InlineData("Iran NEAR/5 NOT Iraq", "expected a word, phrase or '(' after 'NEAR/5' at column 13, found 'NOT'")]
    [InlineData("   ", "the query is empty")]
    [InlineData(" -- ", "\"--\" at column 2 has no letters or digits")]
    public void A_bad_query_is_refused_with_what_and_where(string query, string expected) =>
        Assert.StartsWith(expected, ParseError(query), StringComparison.Ordinal);

    [Theory]
    [InlineData("/(a/")]
    [InlineData("/(a)\\1/")]
    public void A_regex_the_engine_refuses_is_quoted_without_its_closing_period(string query)
    {
        var error = ParseError(query);

        Assert.False(error.EndsWith('.'), error);
        Assert.True(error.Length > "invalid regex at column 1: ".Length, error);
    }

    [Theory]
    [InlineData("Houthis")]
    [InlineData("San’a")]
    [InlineData("Bab el-Mandeb")]
    [InlineData("Qa'ani")]
    [InlineData("port of Hodeidah")]
    [InlineData("12:30 deadline")]
    [InlineData("U.S. Navy")]
    [InlineData("e-mail")]
    public void Plain_terms_parse_as_one_literal(string term)
    {
        Assert.True(WatchQuery.TryParse(term, ShippedFiles.Actors, out var query, out var error), error);
        Assert.True(query.IsPlain);
        Assert.Equal(term, query.Text);
    }

    [Fact]
    public void Build_skips_a_rule_that_does_not_parse_and_reports_it()
    {
        var rules = new[] { new MatchRule(1, "Houthis"), new MatchRule(2, "(Iran"), new MatchRule(3, "@ghost") };

        var sut = CompiledMatcher.Build(rules, ShippedFiles.Actors, out var faults);

        Assert.Equal(1, sut.RuleCount);
        Assert.Equal(
            [(2L, "expected ')' at column 6"), (3L, "unknown actor \"ghost\" at column 2")],
            faults.Select(f => (f.Rule.OwnerId, f.Error)));
        Assert.Equal([1L], sut.MatchText("Houthis and Iran").ByOwner.Keys);
    }

    [Fact]
    public void Queries_of_many_owners_share_one_matcher()
    {
        var sut = CompiledMatcher.Build(
            [new MatchRule(1, "Houthis AND tanker"), new MatchRule(2, "Houthis -tanker"), new MatchRule(3, "tanker NEAR/1 Houthis"), new MatchRule(4, "/tank\\w+/i")],
            ShippedFiles.Actors);

        var matches = sut.MatchText("Huthi forces seized a tanker.");

        Assert.Equal([1L, 4L], matches.ByOwner.Keys.Order());
        Assert.Equal(["Huthi", "tanker"], matches.For(1).Select(h => h.MatchedText));
        Assert.Equal("tanker", Assert.Single(matches.For(4)).MatchedText);
    }

    [Fact]
    public void The_same_query_written_twice_by_one_owner_counts_once()
    {
        var sut = CompiledMatcher.Build(
            [new MatchRule(1, "Houthis AND tanker"), new MatchRule(1, "ansar allah AND Tanker"), new MatchRule(1, "Houthis OR tanker")],
            ShippedFiles.Actors);

        Assert.Equal(2, sut.RuleCount);
    }
}
