using AlertBot.Core.Text;

namespace AlertBot.Core.Tests.Text;

public sealed class TokenizerTests
{
    [Fact]
    public void Offsets_point_into_the_original_text()
    {
        const string text = "Yemen’s Houthis fired on a tanker in the Red Sea, Miranda said";
        var tokens = Tokenizer.Tokenize(text);

        Assert.Equal(
            ["yemen", "s", "houthis", "fired", "on", "a", "tanker", "in", "the", "red", "sea", "miranda", "said"],
            tokens.Select(t => t.Normalized));
        foreach (var token in tokens)
        {
            Assert.Equal(token.Normalized, TextNormalizer.Normalize(text.AsSpan(token.Start, token.Length)));
        }

        Assert.Equal("Houthis", text[tokens[2].Start..tokens[2].End]);
        Assert.Equal("Red", text.Substring(tokens[9].Start, tokens[9].Length));
    }

    [Fact]
    public void Diacritics_keep_their_original_span()
    {
        const string text = "General Qāʾānī arrived";
        var tokens = Tokenizer.Tokenize(text);

        Assert.Equal(["general", "qa", "ani", "arrived"], tokens.Select(t => t.Normalized));
        Assert.Equal("Qāʾānī", text[tokens[1].Start..tokens[2].End]);
    }

    [Fact]
    public void Combining_marks_stay_inside_their_word()
    {
        // "Qa" + combining macron: the mark must not split the word.
        const string text = "Qa\u0304ani spoke";
        var tokens = Tokenizer.Tokenize(text);

        Assert.Equal(["qaani", "spoke"], tokens.Select(t => t.Normalized));
        Assert.Equal(6, tokens[0].Length);
    }

    [Fact]
    public void Hyphens_and_apostrophes_separate_words_and_join_phrases()
    {
        var tokens = Tokenizer.Tokenize("Houthi-controlled Qaani's (Red) Sea");

        Assert.Equal(["houthi", "controlled", "qaani", "s", "red", "sea"], tokens.Select(t => t.Normalized));
        Assert.True(tokens[1].Joined);
        Assert.True(tokens[3].Joined);
        Assert.False(tokens[4].Joined, "an opening bracket is not a gap a phrase crosses");
        Assert.False(tokens[5].Joined, "a closing bracket is not a gap a phrase crosses");
    }

    [Fact]
    public void A_line_break_or_comma_stops_a_phrase()
    {
        var tokens = Tokenizer.Tokenize("Red\nSea, Red, Sea");

        Assert.All(tokens.Skip(1), t => Assert.False(t.Joined));
    }

    [Fact]
    public void Arabic_and_Persian_letters_are_words()
    {
        const string text = "قال الحوثيون، إن اسماعیل قاآنی زار";
        var tokens = Tokenizer.Tokenize(text);

        Assert.Equal(6, tokens.Count);
        Assert.Equal("الحوثيون", text[tokens[1].Start..tokens[1].End]);
        Assert.Equal("قاآنی", text[tokens[4].Start..tokens[4].End]);
    }

    [Fact]
    public void Persian_zero_width_non_joiner_stays_inside_a_word()
    {
        var tokens = Tokenizer.Tokenize("می\u200Cخواهد رفت");

        Assert.Equal(2, tokens.Count);
        Assert.Equal(TextNormalizer.Normalize("میخواهد"), tokens[0].Normalized);
    }

    [Fact]
    public void Surrogate_pair_letters_are_words()
    {
        // U+1D400 MATHEMATICAL BOLD CAPITAL A, a letter outside the BMP.
        var tokens = Tokenizer.Tokenize("x \U0001D400b y");

        Assert.Equal(3, tokens.Count);
        Assert.Equal(3, tokens[1].Length);
    }

    [Fact]
    public void Key_joins_folded_tokens()
    {
        Assert.Equal("bab el mandeb", Tokenizer.Key("  Bab el‑Mandeb "));
        Assert.Equal(Tokenizer.Key("Qa'ani"), Tokenizer.Key("Qāʾānī"));
        Assert.Equal("", Tokenizer.Key("—!"));
    }
}
