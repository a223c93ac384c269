using AlertBot.Core.Matching;
using AlertBot.Core.Summaries;
using AlertBot.Telegram.Sending;
using AlertBot.Testing.Telegram;

namespace AlertBot.Telegram.Tests;

public sealed class AlertHtmlRendererTests
{
    [Fact]
    public void Escaping_covers_text_and_attributes()
    {
        Assert.Equal("a &lt;b&gt; &amp; \"c\"", TelegramHtml.Escape("a <b> & \"c\""));
        Assert.Equal("a &lt;b&gt; &amp; &quot;c&quot;", TelegramHtml.EscapeAttribute("a <b> & \"c\""));
        Assert.Equal("plain", TelegramHtml.Escape("plain"));
    }

    [Theory]
    [InlineData("one two three four", 10, "one two…")]
    [InlineData("abcdefghijklmnop", 5, "abcd…")]
    [InlineData("short", 10, "short")]
    public void Shorten_cuts_at_a_word_with_an_ellipsis(string text, int max, string expected)
    {
        Assert.Equal(expected, TelegramHtml.Shorten(text, max));
    }

    [Fact]
    public void Shorten_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 8) + "\U0001F600\U0001F600";

        var shortened = TelegramHtml.Shorten(text, 10);

        Assert.True(shortened.Length <= 10);
        Assert.False(char.IsHighSurrogate(shortened[^2]));
    }

    [Fact]
    public void A_matched_phrase_is_bold_as_one_phrase()
    {
        var sentence = "Yemen's Houthis fired at a tanker in the Red  Sea.";
        var message = new AlertMessage
        {
            Title = "Tanker hit",
            Source = "Wire",
            Sentences = [sentence],
            Highlights = Highlighting.Find(0, sentence, ["Red Sea", "Houthis"]),
        };

        var html = AlertHtmlRenderer.Render(message);

        Assert.Contains("in the <b>Red Sea</b>.", html, StringComparison.Ordinal);
        Assert.Contains("<b>Houthis</b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Red</b>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Links_other_than_http_are_not_made_into_anchors()
    {
        var html = AlertHtmlRenderer.Render(new AlertMessage { Title = "t", Source = "s", Link = "javascript:alert(1)" });

        Assert.DoesNotContain("<a ", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_alerts_always_render_to_valid_telegram_html_within_the_limit()
    {
        var random = new Random(42);
        const string alphabet = "ab <>&\"'\n\t;#x1234567890&amp;&lt;\u00e9\U0001F600";
        string Text(int max)
        {
            var chars = new char[random.Next(0, max)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            return new string(chars);
        }

        for (var n = 0; n < 300; n++)
        {
            var message = new AlertMessage
            {
                Title = Text(600),
                Source = Text(200),
                Link = random.Next(3) == 0 ? null : "https://x.example/" + Uri.EscapeDataString(Text(50)) + "?a=1&b=\"2\"",
                PublishedAt = random.Next(2) == 0 ? null : DateTimeOffset.UnixEpoch.AddDays(random.Next(20000)),
                Sentences = Enumerable.Range(0, random.Next(0, 4)).Select(_ => Text(3000)).ToArray(),
                Matches = Enumerable.Range(0, random.Next(0, 15)).Select(_ => new MatchExplanation(Text(150), Text(150), MatchField.Title, Text(100))).ToArray(),
            };

            var html = AlertHtmlRenderer.Render(message);

            var parsed = TelegramHtmlChecker.Parse(html);
            Assert.True(parsed.Error is null, parsed.Error + "\n" + html);
            Assert.InRange(parsed.Text.Length, 1, TelegramHtml.MaxMessageLength);
        }
    }
}
