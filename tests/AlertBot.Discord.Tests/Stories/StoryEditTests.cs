using AlertBot.Core.Alerts;
using AlertBot.Core.Summaries;
using AlertBot.Discord.Alerts;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.Discord.Tests.Stories;

/// <summary>Story updates reach Discord as PATCH of the posted message; highlights render as escaped bold.</summary>
public sealed class StoryEditTests
{
    private const string Channel = "900000000000000077";

    private static AlertMessage Grown(params string[] outlets) =>
        TestAlerts.Message() with { AlsoSources = [.. outlets.Select(o => new AlertSource(o, null))] };

    private static OutboxEntry Update(long id, long original, AlertMessage message, Core.Channels.ChannelRef channel) =>
        TestAlerts.Entry(id, channel, message) with { Kind = OutboxKind.Update, RefersTo = original };

    [Fact]
    public async Task An_update_patches_the_posted_message_with_the_new_sources()
    {
        await using var host = await DiscordTestHost.StartAsync();
        var channel = DiscordTarget.Channel(Channel);
        var posted = Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(TestAlerts.Entry(1, channel), CancellationToken.None));

        var result = await host.Sink.EditAsync(Update(2, 1, Grown("Outlet B", "Outlet C"), channel), posted.PlatformMessageId!, CancellationToken.None);

        Assert.Equal(posted.PlatformMessageId, Assert.IsType<DeliveryResult.Delivered>(result).PlatformMessageId);
        var patch = Assert.Single(host.Server.Requests, r => r.Method == "PATCH");
        Assert.Equal($"/api/v10/channels/{Channel}/messages/{posted.PlatformMessageId}", patch.Path);
        Assert.Equal($"Bot {host.Server.BotToken}", patch.Authorization);
        var message = Assert.Single(host.Server.MessagesIn(Channel));
        Assert.StartsWith("Example News · also: Outlet B, Outlet C · ab1-", (string?)message.Body["embeds"]![0]!["footer"]!["text"], StringComparison.Ordinal);
        Assert.Single(host.Server.Edits);
    }

    [Fact]
    public async Task A_webhook_message_is_patched_through_the_webhook_and_a_deleted_message_gets_a_follow_up()
    {
        await using var host = await DiscordTestHost.StartAsync(
            s => s.Webhooks["950000000000000009"] = "hook-TOKEN",
            new() { ["AlertBot:Discord:Webhooks:0"] = "https://discord.com/api/webhooks/950000000000000009/hook-TOKEN" });
        var channel = Assert.Single(host.Services.GetRequiredService<DiscordWebhooks>().Channels);
        var posted = Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(TestAlerts.Entry(1, channel), CancellationToken.None));

        await host.Sink.EditAsync(Update(2, 1, Grown("Outlet B"), channel), posted.PlatformMessageId!, CancellationToken.None);
        var gone = await host.Sink.EditAsync(Update(3, 1, Grown("Outlet B", "Outlet C"), channel), "123456789", CancellationToken.None);

        Assert.Contains(host.Server.Requests, r => r.Method == "PATCH" && r.Path.StartsWith($"/api/v10/webhooks/950000000000000009/hook-TOKEN/messages/{posted.PlatformMessageId}", StringComparison.Ordinal) && !(r.Authorization ?? "").Contains(host.Server.BotToken, StringComparison.Ordinal));
        Assert.IsType<DeliveryResult.Delivered>(gone);
        var messages = host.Server.MessagesIn("webhook:950000000000000009");
        Assert.Equal(2, messages.Count);
        Assert.StartsWith("also: Outlet B, Outlet C · ab1-", (string?)messages[1].Body["embeds"]![0]!["footer"]!["text"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Matched_words_are_bold_and_markdown_in_the_text_is_escaped()
    {
        await using var host = await DiscordTestHost.StartAsync();
        var message = TestAlerts.Message() with
        {
            Sentences = ["Esmail *Ghaani* met Kataib_Hezbollah in Baghdad.", "Ghaani left."],
            Highlights = [new HighlightSpan(0, 8, 6), new HighlightSpan(0, 20, 17), new HighlightSpan(1, 0, 6)],
        };

        await host.Sink.DeliverAsync(TestAlerts.Entry(1, DiscordTarget.Channel(Channel), message), CancellationToken.None);

        var embed = Assert.Single(host.Server.MessagesIn(Channel)).Body["embeds"]![0]!;
        Assert.Equal("Esmail \\***Ghaani**\\* met **Kataib\\_Hezbollah** in Baghdad. **Ghaani** left.", (string?)embed["description"]);
    }
}
