using AlertBot.Core.Matching;
using AlertBot.Core.Tests.Matching.Quality;

namespace AlertBot.Core.Tests.Matching;

/// <summary>
/// The matcher finds where paths start in one of two ways: a vectorised search for the first words (few, none of
/// one or two ASCII letters) or reading every word. Both must find exactly the same hits, whatever the text's script.
/// </summary>
public sealed class ScanModeTests
{
    private const long Owner = 7;

    /// <summary>Terms whose first words are all long enough to be searched for.</summary>
    private static readonly string[] SearchableTerms =
        ["Houthis", "Red Sea", "Iran", "Iraq", "Israel", "Hezbollah", "Kataib Hezbollah", "IRGC", "Hamas", "Araghchi", "Bab el-Mandeb"];

    private static readonly string[] Texts =
    [
        "Yemen’s Houthis fired on a tanker in the Red Sea, Miranda said.",
        "Kata’ib Hizballah and Hezbollah; the Huthis’ leader; HOUTHI-controlled Hodeidah.",
        "Ḥizballah and al-Ḥūthī met Qāʾānī in Tehrān; Irán and Iraqi and IRAN.",
        "اعلن الحوثيون ان والحوثيين ضربوا سفينة في البحر الأحمر. وقالت حماس إن إيران",
        "قاآنی در عراق با حزب‌الله دیدار کرد و سپاه پاسداران",
        "Café Houthi\u0301s; Iran\u00ADian; Ir\u200Dan; e\u0301Iran; 𝐈𝐫𝐚𝐧 and 𝒜 Iran",
        "Bab-el-Mandeb strait, bab el‑mandeb, Bab el\nMandeb, Red\u00A0Sea and red. Sea",
        "Sepah Bank and Bank Sepah; the Revolutionary Guards and Islamic Revolutionary Guard Corps.",
        "IranIran Iran1 1Iran _Iran_ Iran_ (Iran) \"Hamas\" [Israel] Iran.",
    ];

    public static TheoryData<string> AllTexts()
    {
        var data = new TheoryData<string>();
        foreach (var text in Texts.Concat(MatchingQualityTests.LoadSet().Select(s => s.Text)))
        {
            data.Add(text);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllTexts))]
    public void Searching_for_first_words_finds_what_reading_every_word_finds(string text)
    {
        var searching = CompiledMatcher.Build(SearchableTerms.Select(t => new MatchRule(Owner, t)), ShippedFiles.Actors);

        // Hundreds of other first words (another owner's) make the matcher read every word instead.
        var fillers = Enumerable.Range(0, 400).Select(i => new MatchRule(Owner + 1, $"Zq{i:D3}word"));
        var reading = CompiledMatcher.Build(SearchableTerms.Select(t => new MatchRule(Owner, t)).Concat(fillers), ShippedFiles.Actors);
        Assert.True(searching.SearchesFirstWords);
        Assert.False(reading.SearchesFirstWords);

        var expected = reading.MatchText(text).For(Owner);
        Assert.Equal(expected, searching.MatchText(text).For(Owner));
    }

    /// <summary>
    /// Reading every word takes the text 32 characters at a time: one long text, shifted by every offset within a
    /// block, puts words across every block boundary, in all-ASCII blocks and in blocks with other characters.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(30)]
    [InlineData(31)]
    public void Both_ways_find_the_same_hits_in_a_long_text_at_any_alignment(int shift)
    {
        var text = new string('x', shift) + " " + string.Join(' ', Texts.Concat(MatchingQualityTests.LoadSet().Select(s => s.Text)));
        var searching = CompiledMatcher.Build(SearchableTerms.Select(t => new MatchRule(Owner, t)), ShippedFiles.Actors);
        var reading = CompiledMatcher.Build(
            SearchableTerms.Select(t => new MatchRule(Owner, t)).Concat(Enumerable.Range(0, 400).Select(i => new MatchRule(Owner + 1, $"Zq{i:D3}word"))),
            ShippedFiles.Actors);

        var expected = searching.MatchText(text).For(Owner);
        Assert.True(expected.Count > 200, $"only {expected.Count} hits");
        Assert.Equal(expected, reading.MatchText(text).For(Owner));
    }

    [Fact]
    public void Both_ways_find_hits_in_every_script()
    {
        var searching = CompiledMatcher.Build(SearchableTerms.Select(t => new MatchRule(Owner, t)), ShippedFiles.Actors);

        // The comparison above is only worth something if there is something to find.
        Assert.Contains(searching.MatchText(Texts[2]).For(Owner), h => h.Term == "Hezbollah" && h.MatchedText == "Ḥizballah");
        Assert.Contains(searching.MatchText(Texts[3]).For(Owner), h => h.Term == "Houthis" && h.MatchedText == "والحوثيين");
        Assert.Contains(searching.MatchText(Texts[4]).For(Owner), h => h.Term == "IRGC" && h.MatchedText == "سپاه پاسداران");
        Assert.DoesNotContain(searching.MatchText(Texts[0]).For(Owner), h => h.MatchedText == "Iran");
    }

    [Fact]
    public void A_one_or_two_letter_first_word_makes_the_matcher_read_every_word()
    {
        // "Quds Force" has the alias "al-Quds Force": "al" is inside too many words to search for.
        var matcher = CompiledMatcher.Build([new MatchRule(Owner, "Quds Force")], ShippedFiles.Actors);

        Assert.False(matcher.SearchesFirstWords);
        Assert.Equal(
            ["al-Quds Force", "Quds Force"],
            matcher.MatchText("Also the al-Quds Force, not Alquds Force; the Quds Force").For(Owner).Select(h => h.MatchedText));
    }
}
