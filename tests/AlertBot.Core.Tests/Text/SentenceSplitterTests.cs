using AlertBot.Core.Text;

namespace AlertBot.Core.Tests.Text;

public sealed class SentenceSplitterTests
{
    private static string[] Split(string text) => [.. SentenceSplitter.Split(text).Select(s => s.Text)];

    [Fact]
    public void Splits_on_terminal_punctuation()
    {
        Assert.Equal(
            ["Houthis fired on a tanker.", "Was anyone hurt?", "Nobody knows!", "Talks resume"],
            Split("Houthis fired on a tanker. Was anyone hurt? Nobody knows! Talks resume"));
    }

    [Theory]
    [InlineData("Mr. Qaani visited Baghdad on Jan. 19 with Dr. Smith.")]
    [InlineData("Mrs. Jones met Gen. Petraeus at St. Paul's.")]
    [InlineData("U.S. forces struck the port.")]
    [InlineData("Officials in the U.S. Army said so.")]
    [InlineData("President George W. Bush spoke.")]
    [InlineData("Oil rose 3.5 per cent to $71.20 a barrel.")]
    [InlineData("Some groups, e.g. Kataib Hezbollah, refused.")]
    [InlineData("It happened on Sept. 11 in New York.")]
    public void Abbreviations_initials_and_decimals_do_not_end_a_sentence(string text) =>
        Assert.Equal([text], Split(text));

    [Fact]
    public void A_sentence_after_an_abbreviated_sentence_still_splits()
    {
        Assert.Equal(
            ["He spoke to Mr. Smith.", "Then he left."],
            Split("He spoke to Mr. Smith. Then he left."));
    }

    [Fact]
    public void Closing_quotes_stay_with_their_sentence()
    {
        Assert.Equal(
            ["“He expressed support for it.”", "The talks went on.", "\"It is in place.\"", "“Yes,” he said."],
            Split("“He expressed support for it.” The talks went on. \"It is in place.\" “Yes,” he said."));
    }

    [Fact]
    public void A_question_inside_a_quote_followed_by_attribution_is_one_sentence() =>
        Assert.Equal(["“Will they strike?” asked a source."], Split("“Will they strike?” asked a source."));

    [Fact]
    public void Newlines_are_hard_breaks()
    {
        Assert.Equal(
            ["A caption in Tehran", "EPA", "Live updates: follow the latest", "Body text."],
            Split("A caption in Tehran\nEPA\r\n\r\nLive updates: follow the latest\n\n  Body text.  "));
    }

    [Fact]
    public void Offsets_give_back_the_sentence_text()
    {
        const string text = "  First one. Second one?\n\nThird";
        foreach (var sentence in SentenceSplitter.Split(text))
        {
            Assert.Equal(sentence.Text, text.Substring(sentence.Start, sentence.Length));
        }
    }

    [Fact]
    public void Containing_finds_the_sentence_of_an_offset()
    {
        const string text = "First one. Second one.";
        var sentences = SentenceSplitter.Split(text);

        Assert.Equal("First one.", SentenceSplitter.Containing(sentences, 2)?.Text);
        Assert.Equal("Second one.", SentenceSplitter.Containing(sentences, text.IndexOf("one.", 11, StringComparison.Ordinal))?.Text);
        Assert.Null(SentenceSplitter.Containing(sentences, 10));
    }

    [Fact]
    public void Arabic_question_mark_ends_a_sentence() =>
        Assert.Equal(["هل ضرب الحوثيون؟", "نعم."], Split("هل ضرب الحوثيون؟ نعم."));

    [Fact]
    public void Empty_text_has_no_sentences() => Assert.Empty(Split(" \n\t"));
}
