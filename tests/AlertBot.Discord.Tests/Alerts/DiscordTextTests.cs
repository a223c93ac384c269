using AlertBot.Core.Channels;
using AlertBot.Discord.Alerts;

namespace AlertBot.Discord.Tests.Alerts;

public sealed class DiscordTextTests
{
    [Fact]
    public void Text_within_the_limit_is_left_alone() =>
        Assert.Equal("short text", DiscordText.Shorten("short text", 10));

    [Fact]
    public void Shortening_cuts_at_a_word_boundary_and_marks_the_cut()
    {
        var result = DiscordText.Shorten("Ansar Allah fired missiles at shipping", 20);

        Assert.Equal("Ansar Allah fired…", result);
    }

    [Fact]
    public void Shortening_never_splits_a_surrogate_pair()
    {
        // 9 letters then emoji (2 UTF-16 units each) with no spaces: the cut lands between the halves of one emoji.
        var text = "abcdefghi" + string.Concat(Enumerable.Repeat("🚀", 10));

        var result = DiscordText.Shorten(text, 12);

        Assert.True(result.Length <= 12);
        Assert.EndsWith("…", result, StringComparison.Ordinal);
        for (var i = 0; i < result.Length; i++)
        {
            Assert.False(char.IsHighSurrogate(result[i]) && (i + 1 >= result.Length || !char.IsLowSurrogate(result[i + 1])), $"lone high surrogate at {i}");
            Assert.False(char.IsLowSurrogate(result[i]) && (i == 0 || !char.IsHighSurrogate(result[i - 1])), $"lone low surrogate at {i}");
        }
    }

    [Fact]
    public void A_word_longer_than_the_room_is_cut_inside_it_rather_than_dropped()
    {
        var result = DiscordText.Shorten("Supercalifragilisticexpialidocious", 10);

        Assert.Equal("Supercali…", result);
    }

    [Fact]
    public void Markdown_in_feed_text_is_escaped()
    {
        Assert.Equal(@"\*bold\* \_x\_ a-b", DiscordText.EscapeMarkdown("*bold* _x_ a-b"));
        Assert.Equal(@"\# heading", DiscordText.EscapeMarkdown("# heading"));
    }

    [Fact]
    public void The_delivery_marker_ends_the_footer_and_the_plain_text_even_when_the_source_is_huge()
    {
        const string Marker = "ab1-0123456789abcdef0123";
        var message = TestAlerts.Message() with { Source = new string('S', 5000) };

        var embed = AlertEmbedRenderer.Render(message, Marker);
        var plain = AlertEmbedRenderer.RenderPlain(message with { Sentences = [new string('x', 5000)] }, Marker);

        Assert.EndsWith(" · " + Marker, embed.Footer!.Value.Text, StringComparison.Ordinal);
        Assert.InRange(embed.Footer!.Value.Text.Length, 1, 2048);
        Assert.EndsWith("\n-# " + Marker, plain, StringComparison.Ordinal);
        Assert.InRange(plain.Length, 1, 2000);
    }

    [Theory]
    [InlineData("https://discord.com/api/webhooks/123456789/abc_DEF-ghi", true)]
    [InlineData("https://discordapp.com/api/v10/webhooks/123456789/abc", true)]
    [InlineData("https://discord.com/api/webhooks/notanid/abc", false)]
    [InlineData("https://discord.com/api/webhooks/123456789", false)]
    [InlineData("ftp://discord.com/api/webhooks/1/abc", false)]
    public void Webhook_urls_are_recognised(string url, bool valid) =>
        Assert.Equal(valid, DiscordTarget.TryParseWebhookUrl(url, out _, out _));

    [Fact]
    public void A_webhook_channel_names_the_webhook_by_id_only()
    {
        Assert.True(DiscordTarget.TryParseWebhookUrl("https://discord.com/api/webhooks/123/secret-token", out var id, out var token));
        var channel = DiscordTarget.Webhook(id);

        Assert.Equal("secret-token", token);
        Assert.Equal("webhook:123", channel.ExternalId);
        Assert.True(DiscordTarget.TryParse(channel, out var target));
        Assert.True(target.IsWebhook);
        Assert.Equal("123", target.WebhookId);
    }

    [Fact]
    public void Another_platforms_channel_or_a_non_numeric_id_is_not_a_target()
    {
        Assert.False(DiscordTarget.TryParse(new ChannelRef(Platforms.Telegram, "123"), out _));
        Assert.False(DiscordTarget.TryParse(new ChannelRef(Platforms.Discord, "general"), out _));
        Assert.False(DiscordTarget.TryParse(new ChannelRef(Platforms.Discord, "webhook:123/token"), out _));
    }
}
