using AlertBot.Core.Matching;
using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Tests.Matching;

/// <summary>
/// What a term naming an actor finds beyond the listed spellings: generated word forms, a country's demonyms and
/// descriptions, and what it must still not find (false friends, common words, the exact word's neighbours).
/// </summary>
public sealed class ActorFormsTests
{
    private const long Owner = 7;

    private static IReadOnlyList<TermHit> Hits(string text, string term, ActorDictionary? actors = null) =>
        CompiledMatcher.Build([new MatchRule(Owner, term)], actors ?? ShippedFiles.Actors).MatchText(text).For(Owner);

    [Theory]
    [InlineData("Houthis", "قال حوثيون إنهم أطلقوا صاروخا.", "حوثيون")] // sound plural, nominative, no article
    [InlineData("Houthis", "استهدفت غارات مواقع حوثيين في صعدة.", "حوثيين")] // oblique case, no article
    [InlineData("Houthis", "فحوثيون يقاتلون في مأرب.", "فحوثيون")] // a proclitic before a generated form
    [InlineData("Houthis", "القوات الحوثية تقدمت نحو مأرب.", "الحوثية")] // nisba feminine
    [InlineData("Houthis", "حوثی ها یک کشتی را هدف گرفتند.", "حوثی ها")] // Persian plural after a space
    [InlineData("Houthis", "حوثی‌های یمن بیانیه دادند.", "حوثی‌های")] // Persian plural with ezafe
    [InlineData("Esmail Qaani", "General Kaani met militia leaders.", "Kaani")] // q → k
    [InlineData("Abbas Araghchi", "FM Araqchee spoke.", null)] // no rule makes ee from i: not found
    [InlineData("IRGC", "The Sipah commander spoke.", "Sipah")] // e → i
    [InlineData("Houthis", "Hauthis", null)]
    public void Generated_forms_are_found_and_nothing_else(string term, string text, string? matched)
    {
        var hits = Hits(text, term);

        if (matched is null)
        {
            Assert.Empty(hits);
        }
        else
        {
            Assert.Equal(matched, Assert.Single(hits).MatchedText);
        }
    }

    [Theory]
    [InlineData("Esmail Qaani", "Ghani's government collapsed.")] // Ghaani's aa → a is a dictionary false friend
    [InlineData("Esmail Qaani", "Qana was shelled.")]
    [InlineData("Hamas", "استقبل الجمهور الفريق بحماسي كبير.")] // حماسي is "epic", a stop word
    [InlineData("IRGC", "Sipah-e-Sahaba was banned in Pakistan.")]
    [InlineData("Iran", "Smriti Irani spoke in Delhi.")]
    [InlineData("=Iran", "Iranian officials declined to comment.")]
    [InlineData("=Iran", "مقامات ایرانی سخن گفتند.")]
    [InlineData("Iran", "Miranda said so.")]
    public void Generated_forms_stop_at_false_friends_common_words_and_exact_terms(string term, string text) =>
        Assert.Empty(Hits(text, term));

    [Theory]
    [InlineData("Iran", "Iranian commanders were killed in the strike.", "Iranian")]
    [InlineData("Iran", "Two Iranians were detained.", "Iranians")]
    [InlineData("Iraq", "Iraqis voted on Sunday.", "Iraqis")]
    [InlineData("Israel", "Israeli jets struck overnight.", "Israeli")]
    [InlineData("Iran", "السفارة الإيرانية في بغداد أغلقت.", "الإيرانية")]
    [InlineData("Iraq", "قال مسؤولون عراقيون إن الهجوم فشل.", "عراقيون")]
    [InlineData("Iran", "مقامات ایرانی سخن گفتند.", "ایرانی")]
    [InlineData("=Iran", "Iran denied it.", "Iran")]
    public void A_country_finds_its_demonyms_unless_the_term_is_exact(string term, string text, string matched) =>
        Assert.Equal(matched, Assert.Single(Hits(text, term)).MatchedText);

    [Fact]
    public void An_exact_term_still_honours_its_actors_false_friends()
    {
        Assert.Empty(Hits("Kataib Hezbollah fired drones.", "=Hezbollah"));
        Assert.Single(Hits("Hezbollah fired rockets.", "=Hezbollah"));
        Assert.Empty(Hits("Hizballah fired rockets.", "=Hezbollah"));
    }

    [Theory]
    [InlineData("Yemen's rebels fired a missile at a tanker.", "Yemen's rebels", "Yemen's rebels")]
    [InlineData("Yemen’s Iran-backed rebels claimed the attack.", "Yemen’s Iran-backed rebels", "Yemen's rebels")]
    [InlineData("The rebels in Sanaa seized another ship.", "rebels in Sanaa", "the rebels in Sanaa")]
    [InlineData("Iran-aligned militias fired drones at ships in the Red Sea on Sunday.", "Iran-aligned militias", "Iran-aligned militias near Yemen or the Red Sea")]
    [InlineData("Off Hodeidah, Iran-backed fighters boarded a cargo ship.", "Iran-backed fighters", "Iran-aligned militias near Yemen or the Red Sea")]
    [InlineData("أعلن المتمردون في اليمن استهداف سفينة.", "المتمردون في اليمن", "المتمردون في اليمن")]
    public void A_description_names_the_actor_and_explains_itself(string text, string matched, string alias)
    {
        var hit = Assert.Single(Hits(text, "Houthis"));

        Assert.Equal(matched, hit.MatchedText);
        Assert.Equal(alias, hit.Alias);
        Assert.Equal("Houthis", hit.Term);
    }

    [Theory]
    [InlineData("Iran-backed militias in Iraq fired rockets at a US base.")] // no Yemen, no Red Sea near
    [InlineData("Iran-backed militias fired rockets at a US base in Syria. Analysts who follow regional shipping, insurance markets and the wider economy said the Red Sea was calm.")]
    [InlineData("Rebels in Sudan shelled the capital.")]
    [InlineData("Yemen's government met rebels from Sudan.")]
    public void A_description_out_of_its_context_names_nobody(string text) =>
        Assert.Empty(Hits(text, "Houthis"));

    [Fact]
    public void A_description_hit_counts_for_near_and_for_operators_like_any_alias()
    {
        var near = Hits("Yemen's rebels fired at a tanker.", "Houthis NEAR/3 tanker");
        Assert.Equal(["Yemen's rebels", "tanker"], near.Select(h => h.MatchedText));
        Assert.Equal("Yemen's rebels", near[0].Alias);
        Assert.Empty(Hits("Yemen's rebels fired many missiles late on Sunday at a tanker.", "Houthis NEAR/3 tanker"));
        Assert.Empty(Hits("Yemen's rebels fired at a tanker.", "Houthis -tanker"));
    }

    [Fact]
    public void An_exact_term_does_not_take_descriptions() =>
        Assert.Empty(Hits("Yemen's rebels fired a missile.", "=Houthis"));

    [Fact]
    public void A_pattern_gap_joins_parts_within_its_words_and_the_same_sentence()
    {
        var actors = new ActorDictionary(
        [
            new Actor("Houthis", ["Houthis"])
            {
                Descriptions = [new ActorDescription("(Iran-aligned|Iran-backed) (militia|militias) ...4 (in|off) the? (Red Sea|Gulf of Aden)")],
            },
        ]);

        var hit = Assert.Single(Hits("Iran-aligned militias fired drones at ships in the Red Sea.", "Houthis", actors));
        Assert.Equal("Iran-aligned militias fired drones at ships in the Red Sea", hit.MatchedText);
        Assert.Equal(hit.MatchedText, hit.Alias);
        Assert.Empty(Hits("Iran-aligned militias fired many many drones at ships in the Red Sea.", "Houthis", actors));
        Assert.Empty(Hits("Iran-aligned militias fired. Ships in the Red Sea were safe.", "Houthis", actors));
    }

    [Theory]
    [InlineData("(rebels|insurgents")]
    [InlineData("rebels)")]
    [InlineData("... rebels")]
    [InlineData("rebels? (in)?")]
    [InlineData("rebels ...99 Sanaa")]
    [InlineData("(a|b|c) (d|e|f) (g|h|i) (j|k|l) (m|n|o) (p|q|r)")]
    public void A_bad_pattern_is_refused_with_its_text(string pattern)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new ActorDictionary([new Actor("Houthis", ["Houthis"]) { Descriptions = [new ActorDescription(pattern)] }]));

        Assert.Contains("Houthis", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_operators_stop_word_and_false_friend_keep_a_form_out()
    {
        var actors = new ActorDictionary([new Actor("Qaani", ["Qaani"])]);
        var guarded = new ActorDictionary([new Actor("Qaani", ["Qaani"])], falseFriends: ["Mohammad Kaani"], stopWords: ["Ghaani"]);

        Assert.Single(Hits("General Ghaani spoke.", "Qaani", actors));
        Assert.Single(Hits("General Kaani spoke.", "Qaani", actors));
        Assert.Empty(Hits("General Ghaani spoke.", "Qaani", guarded));
        Assert.Empty(Hits("General Kaani spoke.", "Qaani", guarded));
        Assert.Single(Hits("General Qaani spoke.", "Qaani", guarded));
    }

    [Fact]
    public void A_false_friend_may_hold_a_generated_form_and_forms_can_be_turned_off()
    {
        var actors = new ActorDictionary([new Actor("Qaani", ["Qaani"]) { FalseFriends = ["Kaani Street"] }]);
        var off = new ActorDictionary([new Actor("Qaani", ["Qaani"]) { GenerateForms = false }]);

        Assert.Empty(Hits("They met on Kaani Street.", "Qaani", actors));
        Assert.Single(Hits("General Kaani spoke.", "Qaani", actors));
        Assert.Empty(Hits("General Ghaani spoke.", "Qaani", off));
    }

    [Fact]
    public void A_generated_form_never_takes_another_actors_spelling()
    {
        var actors = new ActorDictionary([new Actor("Kaani", ["Kaani"]), new Actor("Qaani", ["Qaani"])]);

        Assert.Equal("Kaani", actors.Resolve("Kaani")?.Name);
        Assert.Empty(Hits("General Kaani spoke.", "Qaani", actors));
        Assert.Single(Hits("General Kaani spoke.", "Kaani", actors));
    }
}
