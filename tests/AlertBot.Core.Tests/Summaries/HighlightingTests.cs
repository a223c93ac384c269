using AlertBot.Core.Items;
using AlertBot.Core.Matching;
using AlertBot.Core.Summaries;

namespace AlertBot.Core.Tests.Summaries;

public sealed class HighlightingTests
{
    [Fact]
    public void The_summary_carries_spans_of_the_matched_words_in_title_and_sentences()
    {
        var item = new NewsItem
        {
            Id = "1",
            Title = "Huthi fighters attack a tanker",
            Text = "Markets were calm. Yemen's Houthis fired at a tanker in the Red Sea. The Houthi-run port was shut.",
            SourceName = "Wire",
        };
        var matcher = CompiledMatcher.Build([new MatchRule(1, "Houthis"), new MatchRule(1, "Red Sea")], ShippedFiles.Actors);

        var message = new Summarizer().Summarize(item, matcher.Match(item).For(1));

        var marked = message.Highlights
            .Select(h => (h.Sentence, h.Sentence == HighlightSpan.Title ? message.Title.Substring(h.Start, h.Length) : message.Sentences[h.Sentence].Substring(h.Start, h.Length)))
            .ToList();
        Assert.Contains((HighlightSpan.Title, "Huthi"), marked);
        Assert.Contains(marked, m => m.Item2 == "Houthis");
        Assert.Contains(marked, m => m.Item2 == "Red Sea");
        Assert.Contains(marked, m => m.Item2 == "Houthi");
        Assert.DoesNotContain(marked, m => m.Item2.Contains("tanker", StringComparison.Ordinal));
    }

    [Fact]
    public void Spans_are_whole_words_and_touching_ones_merge()
    {
        var spans = Highlighting.Find(0, "Houthis and Houthi-run ports, not Houthiland; Red Sea Red", ["Houthi", "Houthis", "Red Sea", "Sea Red"]);

        Assert.Equal([new HighlightSpan(0, 0, 7), new HighlightSpan(0, 12, 6), new HighlightSpan(0, 46, 11)], spans);
    }

    [Fact]
    public void A_matched_phrase_is_one_highlight_even_across_a_run_of_white_space()
    {
        var text = "Ships in the Red  Sea and the red\nsea lanes; the Red Seal plant.";
        var spans = Highlighting.Find(0, text, ["Red Sea"]);

        var html = Highlighting.Render(Highlighting.Segments(text, spans, 0), t => t, "<b>", "</b>");

        Assert.Equal("Ships in the <b>Red Sea</b> and the <b>red sea</b> lanes; the Red Seal plant.", html);
        Assert.Equal(
            "a <b>b c</b> d",
            Highlighting.Render(Highlighting.Segments("a  b c  d", [new HighlightSpan(0, 1, 7)], 0), t => t, "<b>", "</b>"));
    }

    [Fact]
    public void Segments_collapse_white_space_and_cut_at_a_word_within_the_budget()
    {
        var text = "Esmail  Qaani\tvisited Baghdad and met Qaani's allies there.";
        var spans = Highlighting.Find(2, text, ["Qaani"]);

        var whole = Highlighting.Segments(text, spans, 2);
        var cut = Highlighting.Segments(text, spans, 2, max: 30);
        var otherSentence = Highlighting.Segments(text, spans, 1);

        Assert.Equal(
            [new("Esmail ", false), new("Qaani", true), new(" visited Baghdad and met ", false), new("Qaani", true), new("'s allies there.", false)],
            whole);
        Assert.Equal("Esmail Qaani visited Baghdad…", string.Concat(cut.Select(s => s.Text)));
        Assert.True(string.Concat(cut.Select(s => s.Text)).Length <= 30);
        Assert.Single(otherSentence);
        Assert.Equal("<b>Esmail</b> &lt;x&gt;", Highlighting.Render([new("Esmail", true), new(" <x>", false)], t => t.Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal), "<b>", "</b>"));
    }

    [Fact]
    public void Plain_text_names_the_other_outlets()
    {
        var message = new AlertMessage
        {
            Title = "Qaani in Baghdad",
            Source = "AP",
            AlsoSources = [new AlertSource("Reuters", null), new AlertSource("Al Jazeera", "https://aj.example/1")],
        };

        Assert.Equal("Qaani in Baghdad\nAP\nalso: Reuters, Al Jazeera\n", Summarizer.ToPlainText(message));
    }
}
