using AlertBot.Feeds.Text;

namespace AlertBot.Feeds.Tests.Text;

public sealed class HtmlTextBoilerplateTests
{
    private static string ToText(string html) => new HtmlText().ToText(html);

    [Fact]
    public void Captions_live_update_links_bylines_share_boxes_and_read_more_are_dropped_and_the_reporting_kept()
    {
        const string html = """
            <figure><img src="x.jpg"><figcaption>Quds Force commander Esmail Qaani, centre, in Tehran. EPA</figcaption></figure>
            <p><a href="https://news.example/live">Live updates: Follow the latest on Israel-Gaza</a></p>
            <p class="article-byline">By <a rel="author" href="/staff/jane">Jane Doe</a>, Baghdad</p>
            <p>Esmail Qaani visited Iraq last week, sources said. <a href="https://news.example/truce">The truce</a> held.</p>
            <div class="share-buttons"><a href="https://x.example/share">Share on X</a> <a href="#">Email</a></div>
            <p>The visit came amid talks.</p>
            <p><a href="https://news.example/more">Read more</a></p>
            <p>The post <a href="https://blog.example/p">Qaani in Baghdad</a> appeared first on <a href="https://blog.example">Example Blog</a>.</p>
            """;

        Assert.Equal(
            "Esmail Qaani visited Iraq last week, sources said. The truce held.\nThe visit came amid talks.",
            ToText(html));
    }

    [Fact]
    public void A_wrapper_whose_class_merely_mentions_sharing_keeps_its_article()
    {
        var article = string.Concat(Enumerable.Repeat("<p>Houthi forces fired missiles at a tanker in the Red Sea on Friday, the operator said.</p>", 10));
        var html = $"<div class=\"post has-share-bar\">{article}</div><div class=\"related\"><a href=\"/x\">Houthis: a history</a></div>";

        var text = ToText(html);

        Assert.Equal(10, text.Split('\n').Length);
        Assert.DoesNotContain("a history", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<p>Shares in Aramco fell 3% after the attack.</p>", "Shares in Aramco fell 3% after the attack.")]
    [InlineData("<p>Read more about it <a href=\"/x\">here</a>, officials urged, as the strikes continued on Friday.</p>",
        "Read more about it here, officials urged, as the strikes continued on Friday.")]
    [InlineData("<p><a href=\"/x\">Iran and the US resume talks in Muscat</a></p>", "Iran and the US resume talks in Muscat")]
    public void Reporting_that_only_looks_like_furniture_is_kept(string html, string expected) =>
        Assert.Equal(expected, ToText(html));
}
