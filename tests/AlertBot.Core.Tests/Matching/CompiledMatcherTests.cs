using AlertBot.Core.Items;
using AlertBot.Core.Matching;
using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Tests.Matching;

public sealed class CompiledMatcherTests
{
    private const long Owner = 42;

    private static CompiledMatcher CreateSut(params string[] terms) =>
        CompiledMatcher.Build(terms.Select(t => new MatchRule(Owner, t)), ShippedFiles.Actors);

    private static IReadOnlyList<TermHit> Hits(string text, params string[] terms) =>
        CreateSut(terms).MatchText(text).For(Owner);

    [Fact]
    public void The_issue_example_matches_Houthis_and_Red_Sea_but_not_Iran_in_Miranda()
    {
        const string text = "Yemen’s Houthis fired on a tanker in the Red Sea, Miranda said";

        var hits = Hits(text, "Iran", "Houthis", "Red Sea");

        Assert.Equal(["Houthis", "Red Sea"], hits.Select(h => h.Term));
        Assert.Equal(["Houthis", "Red Sea"], hits.Select(h => h.MatchedText));
        Assert.All(hits, h => Assert.Equal(text, h.Sentence));
        Assert.All(hits, h => Assert.Equal(MatchField.Body, h.Field));
    }

    [Theory]
    [InlineData("Red Sea", "Shipping in the Red Seal area")]
    [InlineData("Red Sea", "A red seashell")]
    [InlineData("=Iran", "An Iranian commander")]
    [InlineData("Iran", "Miranda said")]
    [InlineData("=Iraq", "Iraqi factions")]
    [InlineData("Houthis", "The Houthist reading")]
    [InlineData("Hezbollah", "Kataib Hezbollah fired drones")]
    [InlineData("Hezbollah", "Kata’ib Hizballah claimed it")]
    [InlineData("IRGC", "Bank Sepah was sanctioned")]
    [InlineData("Red Sea", "The Red Sea Film Festival opened")]
    [InlineData("Quds Force", "Thousands marked Quds Day")]
    [InlineData("Red Sea", "The ship was red.\nSea levels rose")]
    [InlineData("Red Sea", "It was red. Sea levels rose")]
    [InlineData("Red Sea", "red, sea")]
    public void Word_boundaries_and_false_friends_keep_out_near_misses(string term, string text) =>
        Assert.Empty(Hits(text, term));

    [Theory]
    [InlineData("Qaani", "Mr Qaani's visit to Iraq", "Qaani")]
    [InlineData("Qaani", "Mr Qaani’s visit to Iraq", "Qaani")]
    [InlineData("Houthis", "The Houthis’ leader spoke", "Houthis")]
    [InlineData("Houthis", "Yemen's Houthis fired", "Houthis")]
    [InlineData("Houthis", "Houthi-controlled Hodeidah", "Houthi")]
    [InlineData("Houthis", "Houthi‑controlled Hodeidah", "Houthi")]
    [InlineData("Iran", "The Iran-backed militias", "Iran")]
    [InlineData("Iran", "The Iran–backed militias", "Iran")]
    [InlineData("Iran", "Iran’s nuclear programme", "Iran")]
    [InlineData("Iran", "anti-Iran protests", "Iran")]
    [InlineData("Red Sea", "ships in the RED SEA", "RED SEA")]
    [InlineData("Red Sea", "the Red-Sea corridor", "Red-Sea")]
    [InlineData("Red Sea", "off Bab el‑Mandeb today", "Bab el‑Mandeb")]
    [InlineData("Red Sea", "off Bab al—Mandab today", "Bab al—Mandab")]
    [InlineData("Red Sea", "the Red Sea's shipping lanes", "Red Sea")]
    public void Possessives_compounds_case_and_dash_variants_match(string term, string text, string matched)
    {
        var hit = Assert.Single(Hits(text, term));

        Assert.Equal(term, hit.Term);
        Assert.Equal(matched, hit.MatchedText);
    }

    [Theory]
    [InlineData("General Ghaani met them", "Ghaani")]
    [InlineData("General Qa'ani met them", "Qa'ani")]
    [InlineData("General Qa’ani met them", "Qa’ani")]
    [InlineData("General Qāʾānī met them", "Qāʾānī")]
    [InlineData("General QAANI met them", "QAANI")]
    [InlineData("Esmaeil Ghaani met them", "Esmaeil Ghaani")]
    [InlineData("Esmail Qaani met them", "Esmail Qaani")]
    [InlineData("اسماعیل قاآنی met them", "اسماعیل قاآنی")]
    public void Every_Qaani_spelling_matches_the_term_Qaani(string text, string matched)
    {
        var hit = Assert.Single(Hits(text, "Qaani"));

        Assert.Equal("Qaani", hit.Term);
        Assert.Equal(matched, hit.MatchedText);
    }

    [Theory]
    [InlineData("Huthi fighters attacked", "Huthi", "Huthi")]
    [InlineData("Ansar Allah said it attacked", "Ansar Allah", "Ansar Allah")]
    [InlineData("Ansarullah said it attacked", "Ansarullah", "Ansarullah")]
    [InlineData("the Ansar Allah movement said", "Ansar Allah movement", "Ansar Allah movement")]
    [InlineData("قال الحوثيون إنهم", "الحوثيون", "الحوثيون")]
    public void Houthi_aliases_match_the_term_Houthis(string text, string alias, string matched)
    {
        var hit = Assert.Single(Hits(text, "Houthis"));

        Assert.Equal("Houthis", hit.Term);
        Assert.Equal(alias, hit.Alias);
        Assert.Equal(matched, hit.MatchedText);
    }

    [Fact]
    public void A_term_written_as_an_alias_matches_the_whole_actor_and_keeps_the_users_spelling()
    {
        var hits = Hits("The Houthis and Ansar Allah are one group.", "huthi");

        Assert.Equal(["huthi", "huthi"], hits.Select(h => h.Term));
        Assert.Equal(["Houthis", "Ansar Allah"], hits.Select(h => h.Alias));
    }

    [Fact]
    public void A_plain_term_matches_itself_as_a_word_or_phrase_ignoring_diacritics()
    {
        var hits = Hits("Strikes near Ṣanʿāʾ and in the port of Hodeidah.", "San’a", "port of Hodeidah", "Hodeida");

        Assert.Equal(["San’a", "port of Hodeidah"], hits.Select(h => h.Term));
        Assert.Equal(["Ṣanʿā", "port of Hodeidah"], hits.Select(h => h.MatchedText));
        Assert.All(hits, h => Assert.Equal(h.Term, h.Alias));
    }

    [Fact]
    public void The_longest_alias_wins_and_is_one_hit()
    {
        var hit = Assert.Single(Hits("Brig Gen Esmail Qaani arrived", "Qaani"));

        Assert.Equal("Esmail Qaani", hit.Alias);
    }

    [Fact]
    public void Every_occurrence_is_reported_title_first_then_body_in_text_order()
    {
        var item = new NewsItem
        {
            Id = "1",
            Title = "Houthis strike again",
            Text = "The Red Sea is busy. Houthi drones flew.\nAnsar Allah claimed it.",
        };

        var hits = CreateSut("Houthis", "Red Sea").Match(item).For(Owner);

        Assert.Equal(
            [("Houthis", MatchField.Title), ("Red Sea", MatchField.Body), ("Houthi", MatchField.Body), ("Ansar Allah", MatchField.Body)],
            hits.Select(h => (h.MatchedText, h.Field)));
        Assert.Equal(
            ["Houthis strike again", "The Red Sea is busy.", "Houthi drones flew.", "Ansar Allah claimed it."],
            hits.Select(h => h.Sentence));
    }

    [Fact]
    public void Hezbollah_still_matches_beside_but_not_inside_Kataib_Hezbollah()
    {
        var hits = Hits("Kataib Hezbollah and Hezbollah both fired.", "Hezbollah", "Kataib Hezbollah");

        Assert.Equal(
            [("Kataib Hezbollah", "Kataib Hezbollah"), ("Hezbollah", "Hezbollah")],
            hits.Select(h => (h.Term, h.MatchedText)));
    }

    [Fact]
    public void Two_owners_with_overlapping_terms_get_their_own_hits()
    {
        var sut = CompiledMatcher.Build(
            [new MatchRule(1, "Houthis"), new MatchRule(1, "Red Sea"), new MatchRule(2, "Ansar Allah"), new MatchRule(2, "tanker"), new MatchRule(3, "Iran")],
            ShippedFiles.Actors);

        var matches = sut.MatchText("Ansar Allah fired on a tanker in the Red Sea.");

        Assert.Equal([1L, 2L], matches.ByOwner.Keys.Order());
        Assert.Equal(["Houthis", "Red Sea"], matches.For(1).Select(h => h.Term));
        Assert.Equal(["Ansar Allah", "tanker"], matches.For(2).Select(h => h.Term));
        Assert.Equal("Ansar Allah", matches.For(1)[0].MatchedText);
        Assert.Empty(matches.For(3));
    }

    [Fact]
    public void A_repeated_rule_or_a_second_name_of_the_same_actor_counts_once_per_owner()
    {
        var sut = CompiledMatcher.Build(
            [new MatchRule(1, "Houthis"), new MatchRule(1, "houthis "), new MatchRule(1, "Ansar Allah"), new MatchRule(2, "Ansar Allah"), new MatchRule(1, "tanker"), new MatchRule(1, "Tanker")],
            ShippedFiles.Actors);

        var matches = sut.MatchText("Houthis hit a tanker");

        Assert.Equal(3, sut.RuleCount);
        Assert.Equal([("Houthis", "Houthis"), ("tanker", "tanker")], matches.For(1).Select(h => (h.Term, h.MatchedText)));
        Assert.Equal("Ansar Allah", Assert.Single(matches.For(2)).Term);
    }

    [Fact]
    public void Terms_without_words_are_ignored_and_nothing_matches_an_empty_item()
    {
        var sut = CompiledMatcher.Build([new MatchRule(1, " -- "), new MatchRule(1, "")], ActorDictionary.Empty);

        Assert.Equal(0, sut.RuleCount);
        Assert.True(sut.MatchText("-- anything --").IsEmpty);
        Assert.True(CreateSut("Iran").Match(new NewsItem { Id = "x", Title = "" }).IsEmpty);
    }

    [Fact]
    public void Ten_thousand_rules_build_into_one_matcher_that_matches_correctly()
    {
        // 2,000 owners × 5 terms: a distinct term each, a shared actor term, and a shared phrase.
        var rules = new List<MatchRule>();
        for (var owner = 0; owner < 2000; owner++)
        {
            rules.Add(new MatchRule(owner, $"keyword{owner}"));
            rules.Add(new MatchRule(owner, $"phrase {owner} words"));
            rules.Add(new MatchRule(owner, owner % 2 == 0 ? "Houthis" : "Qaani"));
            rules.Add(new MatchRule(owner, "Red Sea"));
            rules.Add(new MatchRule(owner, $"zz{owner}"));
        }

        var sut = CompiledMatcher.Build(rules, ShippedFiles.Actors);
        var matches = sut.MatchText("Keyword17 and phrase 1234 words: Huthi boats in the Red Sea, keyword1999.");

        Assert.Equal(10_000, sut.RuleCount);
        Assert.Equal(2000, matches.ByOwner.Count);
        Assert.Equal(["keyword17", "Red Sea"], matches.For(17).Select(h => h.Term));
        Assert.Equal(["phrase 1234 words", "Houthis", "Red Sea"], matches.For(1234).Select(h => h.Term));
        Assert.Equal(["Red Sea", "keyword1999"], matches.For(1999).Select(h => h.Term));
        Assert.Equal(["Houthis", "Red Sea"], matches.For(0).Select(h => h.Term));
        Assert.All(matches.ByOwner.Values, hits => Assert.Contains(hits, h => h.Term == "Red Sea"));
    }

    [Fact]
    public void MatchTerms_checks_free_text_against_a_few_terms()
    {
        var hits = CompiledMatcher.MatchTerms(["Qaani", "Iran", "Bab el-Mandeb"], ShippedFiles.Actors, "Ghaani flew over the Red Sea to Iran.");

        Assert.Equal([("Qaani", "Ghaani"), ("Bab el-Mandeb", "Red Sea"), ("Iran", "Iran")], hits.Select(h => (h.Term, h.MatchedText)));
    }

    [Fact]
    public void Matching_from_many_threads_at_once_gives_the_same_answers()
    {
        var sut = CreateSut("Houthis", "Red Sea", "Qaani");
        const string text = "Qaani met Houthi leaders about the Red Sea.";
        var expected = sut.MatchText(text).For(Owner).Select(h => h.MatchedText).ToList();

        var results = new string[64][];
        Parallel.For(0, results.Length, i => results[i] = [.. sut.MatchText(text).For(Owner).Select(h => h.MatchedText)]);

        Assert.Equal(["Qaani", "Houthi", "Red Sea"], expected);
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Theory]
    [InlineData("Houthis", "قال الحوثیون إنهم", "الحوثیون")]
    [InlineData("Houthis", "وقال أَنْصَارُ ٱللَّٰهِ إنهم", "أَنْصَارُ ٱللَّٰهِ")]
    [InlineData("Qaani", "سفر قاانی به عراق", "قاانی")]
    [InlineData("Qaani", "زيارة قاآنى إلى بغداد", "قاآنى")]
    [InlineData("Hezbollah", "ادعای حزب‌الله", "حزب‌الله")]
    [InlineData("Red Sea", "في البحر الاحمـــر أمس", "البحر الاحمـــر")]
    [InlineData("Houthis", "والحوثيون قالوا", "والحوثيون")]
    [InlineData("Houthis", "دعم للحوثيين", "للحوثيين")]
    [InlineData("Red Sea", "سفن بالبحر الأحمر", "بالبحر الأحمر")]
    public void Arabic_script_spellings_match_and_quote_the_original_text(string term, string text, string matched)
    {
        var hit = Assert.Single(Hits(text, term));

        Assert.Equal(matched, hit.MatchedText);
        Assert.Contains(hit.MatchedText, text, StringComparison.Ordinal);
    }
}
