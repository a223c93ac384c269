using AlertBot.Core.Matching;
using AlertBot.Core.Summaries;
using AlertBot.Core.Watchlists;
using Xunit.Abstractions;

namespace AlertBot.Core.Tests;

/// <summary>The seed story end to end through Core: default watchlist → matcher → summary → plain text.</summary>
public sealed class SeedArticleTests(ITestOutputHelper output)
{
    private const long Channel = 7;

    private static (ItemMatches Matches, AlertMessage Message) CreateSut()
    {
        var preset = WatchlistPresets.Load(ShippedFiles.WatchlistsPath).Find("default")!;
        var matcher = CompiledMatcher.Build(preset.Terms.Select(t => new MatchRule(Channel, t)), ShippedFiles.Actors);
        var item = ShippedFiles.SeedArticle();
        var matches = matcher.Match(item);
        return (matches, new Summarizer().Summarize(item, matches.For(Channel)));
    }

    [Fact]
    public void Default_watchlist_matches_Qaani_Houthis_and_Red_Sea()
    {
        var (matches, _) = CreateSut();
        var hits = matches.For(Channel);

        Assert.Equal(["Qaani", "Houthis", "Red Sea"], hits.Select(h => h.Term).Distinct());
        Assert.Contains(hits, h => h.Term == "Qaani" && h.MatchedText == "Esmail Qaani");
        Assert.Contains(hits, h => h.Term == "Qaani" && h.MatchedText == "Qaani" &&
                                   h.Sentence.StartsWith("Mr Qaani’s visit to Iraq", StringComparison.Ordinal));
        Assert.Contains(hits, h => h.Term == "Houthis" && h.MatchedText == "Houthi" &&
                                   h.Sentence.StartsWith("It also came amid a US military campaign", StringComparison.Ordinal));
        Assert.Contains(hits, h => h.Term == "Houthis" && h.MatchedText == "Ansar Allah");
        Assert.Contains(hits, h => h.Term == "Houthis" && h.MatchedText == "Houthis");
        Assert.Equal(2, hits.Count(h => h.Term == "Red Sea"));
        Assert.All(hits, h => Assert.Equal(MatchField.Body, h.Field));
    }

    [Fact]
    public void Summary_holds_sentences_of_the_article_and_explains_each_term()
    {
        var (_, message) = CreateSut();
        var article = ShippedFiles.SeedArticle();
        output.WriteLine(Summarizer.ToPlainText(message));

        Assert.Equal(ShippedFiles.SeedTitle, message.Title);
        Assert.Equal("The National", message.Source);
        Assert.Equal(article.Published, message.PublishedAt);
        Assert.Equal(article.Link, message.Link);
        Assert.InRange(message.Sentences.Count, 1, 3);
        Assert.All(message.Sentences, s => Assert.Contains(s, article.Text, StringComparison.Ordinal));
        Assert.DoesNotContain(message.Sentences, s => s.EndsWith("EPA", StringComparison.Ordinal) || s.StartsWith("Live updates", StringComparison.Ordinal));
        Assert.Contains(message.Sentences, s => s.Contains("Red Sea", StringComparison.Ordinal) && s.Contains("Houthi", StringComparison.Ordinal));
        Assert.StartsWith("Iran’s Islamic Revolutionary Guard Corps’ Quds Force commander Esmail Qaani visited Iraq last week", message.Sentences[0], StringComparison.Ordinal);
        Assert.Contains(message.Sentences, s => s.Contains("Qaani", StringComparison.Ordinal) && s.Contains("Houthis", StringComparison.Ordinal));
        Assert.Equal(["Qaani", "Houthis", "Red Sea"], message.Matches.Select(m => m.Term));

        var text = Summarizer.ToPlainText(message);
        Assert.StartsWith(ShippedFiles.SeedTitle + "\nThe National · 2025-03-26 04:16 UTC\n\n", text, StringComparison.Ordinal);
        Assert.Contains("Matched: Houthis (as \"Houthi\", body: \"It also came amid a US military campaign", text, StringComparison.Ordinal);
        Assert.EndsWith("\n" + article.Link + "\n", text, StringComparison.Ordinal);
        Assert.All(message.Matches, m => Assert.Contains(m.Sentence, article.Text, StringComparison.Ordinal));

        // The photo caption names Qaani first, but the explanation quotes the reporting.
        Assert.StartsWith("Iran’s Islamic Revolutionary Guard Corps’ Quds Force commander Esmail Qaani visited Iraq", message.Matches[0].Sentence, StringComparison.Ordinal);
    }
}
