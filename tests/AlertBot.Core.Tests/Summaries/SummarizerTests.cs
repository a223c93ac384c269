using AlertBot.Core.Items;
using AlertBot.Core.Matching;
using AlertBot.Core.Summaries;

namespace AlertBot.Core.Tests.Summaries;

public sealed class SummarizerTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 27, 12, 5, 0, TimeSpan.FromHours(3));

    private static AlertMessage Summarize(NewsItem item, params string[] terms)
    {
        var matcher = CompiledMatcher.Build(terms.Select(t => new MatchRule(1, t)), ShippedFiles.Actors);
        return new Summarizer().Summarize(item, matcher.Match(item).For(1));
    }

    private static NewsItem Item(string text, string title = "Shipping under fire") => new()
    {
        Id = "id-1",
        Title = title,
        Text = text,
        Link = "https://news.example/a/1",
        SourceName = "Example News",
        Published = Noon,
    };

    [Fact]
    public void Picks_hit_sentences_by_hits_then_the_lead_and_returns_them_in_article_order()
    {
        var item = Item(
            "Markets were calm on Monday. Oil prices held steady. The Houthis said they struck a tanker in the Red Sea. " +
            "Analysts expect more. Insurers cited the Red Sea. Nothing else happened.");

        var message = Summarize(item, "Houthis", "Red Sea");

        Assert.Equal(
            ["Markets were calm on Monday.", "The Houthis said they struck a tanker in the Red Sea.", "Insurers cited the Red Sea."],
            message.Sentences);
    }

    [Fact]
    public void More_hit_sentences_than_room_keep_the_lead_and_the_best_hit_sentences()
    {
        var item = Item("Lead without terms. Houthis one. Houthis and the Red Sea. Red Sea three. Houthis four, Houthis again.");

        var message = Summarize(item, "Houthis", "Red Sea");

        Assert.Equal(["Lead without terms.", "Houthis and the Red Sea.", "Houthis four, Houthis again."], message.Sentences);
    }

    [Fact]
    public void Hit_sentences_are_chosen_to_cover_different_terms()
    {
        var item = Item(
            "Qaani went to Baghdad. The Houthis fired at the Red Sea. Houthis again, in the Red Sea, Houthis. " +
            "Qaani met Houthi envoys.");

        var message = new Summarizer(maxSentences: 2).Summarize(item, CompiledMatcher
            .Build([new MatchRule(1, "Houthis"), new MatchRule(1, "Red Sea"), new MatchRule(1, "Qaani")], ShippedFiles.Actors)
            .Match(item).For(1));

        // The lead mentions Qaani; the best other sentence brings the Houthis and the Red Sea, the most hits first.
        Assert.Equal(["Qaani went to Baghdad.", "Houthis again, in the Red Sea, Houthis."], message.Sentences);
    }

    [Fact]
    public void With_room_for_one_sentence_the_best_hit_sentence_wins_over_the_lead()
    {
        var item = Item("Nothing to see. Ships left the Red Sea.");

        var message = new Summarizer(maxSentences: 1).Summarize(item, CompiledMatcher
            .Build([new MatchRule(1, "Red Sea")], ShippedFiles.Actors).Match(item).For(1));

        Assert.Equal(["Ships left the Red Sea."], message.Sentences);
    }

    [Fact]
    public void Without_hits_in_the_body_the_lead_sentence_is_the_summary()
    {
        var message = Summarize(Item("First sentence here. Second one.", title: "Houthis claim attack"), "Houthis");

        Assert.Equal(["First sentence here."], message.Sentences);
        var match = Assert.Single(message.Matches);
        Assert.Equal(MatchField.Title, match.Field);
        Assert.Equal("Houthis claim attack", match.Sentence);
    }

    [Fact]
    public void Boilerplate_lines_are_skipped()
    {
        var item = Item(
            "Shipping under fire\n" +
            "A Houthi fighter at a rally in Sanaa. AFP via Getty Images\n" +
            "Live updates: Follow the latest on the Red Sea\n" +
            "Photo: Houthi supporters, Reuters\n" +
            "The group said it would continue.\n" +
            "Updated: March 26, 2025, 8:16 AM\n" +
            "Reuters");

        var message = Summarize(item, "Houthis", "Red Sea");

        Assert.Equal(["The group said it would continue."], message.Sentences);
    }

    [Fact]
    public void A_caption_explains_a_match_only_when_nothing_else_mentions_the_term_and_never_summarises()
    {
        var item = Item(
            "Esmail Qaani, centre, in Tehran. EPA\n" +
            "Talks continued in Baghdad. Qaani visited the city on the 19th.\n" +
            "A Houthi fighter at a rally. EPA");

        var message = Summarize(item, "Qaani", "Houthis");

        Assert.Equal(["Qaani visited the city on the 19th.", "A Houthi fighter at a rally."], message.Matches.Select(m => m.Sentence));
        Assert.Equal(["Talks continued in Baghdad.", "Qaani visited the city on the 19th."], message.Sentences);
    }

    [Fact]
    public void A_short_single_line_body_is_not_mistaken_for_a_credit()
    {
        var message = Summarize(Item("Red Sea Crisis Deepens"), "Red Sea");

        Assert.Equal(["Red Sea Crisis Deepens"], message.Sentences);
    }

    [Fact]
    public void Time_is_published_else_updated_and_source_falls_back_to_the_host()
    {
        var updated = Noon.AddHours(1);
        var item = Item("Text.") with { Published = null, Updated = updated, SourceName = " " };

        var message = new Summarizer().Summarize(item, []);

        Assert.Equal(updated, message.PublishedAt);
        Assert.Equal("news.example", message.Source);
        Assert.Equal(Noon, new Summarizer().Summarize(Item("Text.") with { Updated = updated }, []).PublishedAt);
    }

    [Fact]
    public void Long_sentences_are_cut_at_a_word()
    {
        var longSentence = "The Houthis " + string.Concat(Enumerable.Repeat("said many words again ", 40)).TrimEnd() + ".";

        var sentence = Assert.Single(Summarize(Item(longSentence), "Houthis").Sentences);

        Assert.True(sentence.Length <= Summarizer.MaxSentenceLength + 1, sentence);
        Assert.EndsWith("…", sentence, StringComparison.Ordinal);
        Assert.StartsWith(sentence[..^1] + " ", longSentence, StringComparison.Ordinal);
        Assert.StartsWith("The Houthis said", sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_text_has_title_source_time_sentences_matches_and_link()
    {
        var item = Item("Yemen’s Houthi-controlled ports were hit. Ships avoided the Red Sea.") with { Title = "Strikes in Yemen" };

        var text = Summarizer.ToPlainText(Summarize(item, "Houthis", "Red Sea"));

        Assert.Equal(
            """
            Strikes in Yemen
            Example News · 2026-11-27 09:05 UTC

            Yemen’s Houthi-controlled ports were hit.
            Ships avoided the Red Sea.

            Matched: Houthis (as "Houthi", body: "Yemen’s Houthi-controlled ports were hit.")
            Matched: Red Sea (body: "Ships avoided the Red Sea.")

            https://news.example/a/1

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Plain_text_quotes_a_window_around_the_match_in_a_long_sentence()
    {
        var sentence = string.Concat(Enumerable.Repeat("filler words here ", 20)) + "the Red Sea " +
                       string.Concat(Enumerable.Repeat("more filler text ", 20)).TrimEnd() + ".";
        var match = new MatchExplanation("Red Sea", "Red Sea", MatchField.Body, sentence) { MatchedText = "Red Sea" };

        var line = Summarizer.Describe(match);

        Assert.Contains("the Red Sea more", line, StringComparison.Ordinal);
        Assert.StartsWith("Red Sea (body: \"…", line, StringComparison.Ordinal);
        Assert.EndsWith("…\")", line, StringComparison.Ordinal);
        Assert.True(line.Length < 200, line);
    }

    [Fact]
    public void An_item_without_body_or_time_still_renders()
    {
        var item = new NewsItem { Id = "x", Title = "Red Sea alert" };

        var message = Summarize(item, "Red Sea");
        var text = Summarizer.ToPlainText(message);

        Assert.Empty(message.Sentences);
        Assert.Equal("Red Sea alert\nunknown source\n\nMatched: Red Sea (title: \"Red Sea alert\")\n", text);
    }
}
