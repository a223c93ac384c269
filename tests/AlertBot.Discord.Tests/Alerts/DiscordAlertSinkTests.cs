using System.Net;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Summaries;
using AlertBot.Discord.Alerts;
using AlertBot.Testing.Discord;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlertBot.Discord.Tests.Alerts;

public sealed class DiscordAlertSinkTests
{
    private const string Channel = "900000000000000001";

    [Fact]
    public async Task Delivers_an_embed_with_its_marker_and_no_mentions_as_the_bot()
    {
        await using var host = await DiscordTestHost.StartAsync();

        var result = await host.Sink.DeliverAsync(TestAlerts.Entry(42, DiscordTarget.Channel(Channel)), CancellationToken.None);

        var delivered = Assert.IsType<DeliveryResult.Delivered>(result);
        var message = Assert.Single(host.Server.MessagesIn(Channel));
        Assert.Equal(message.Id, delivered.PlatformMessageId);
        var request = Assert.Single(host.Server.Requests, r => r.Method == "POST");
        Assert.Equal($"/api/v10/channels/{Channel}/messages", request.Path);
        Assert.Equal($"Bot {host.Server.BotToken}", request.Authorization);
        Assert.StartsWith("DiscordBot (", request.UserAgent, StringComparison.Ordinal);
        var body = request.Json!;
        Assert.Null(body["nonce"]);
        Assert.Empty(body["allowed_mentions"]!["parse"]!.AsArray());
        var embed = body["embeds"]![0]!;
        Assert.Equal("Qaani visits Baghdad", (string?)embed["title"]);
        Assert.Equal("https://example.org/news/qaani-baghdad", (string?)embed["url"]);
        Assert.Equal("Esmail Ghaani arrived in Baghdad on Tuesday. He met militia leaders.", (string?)embed["description"]);
        var entry = TestAlerts.Entry(42, DiscordTarget.Channel(Channel));
        Assert.Equal($"Example News · {entry.DeliveryMarker}", (string?)embed["footer"]!["text"]);
        Assert.Null(embed["counted_length"]);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 6, 30, 0, TimeSpan.Zero), DateTimeOffset.Parse((string)embed["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture));
        var field = (string?)embed["fields"]![0]!["value"];
        Assert.Contains("**Qaani**", field, StringComparison.Ordinal);
        Assert.Contains("“Ghaani”", field, StringComparison.Ordinal);
        Assert.Contains("in text: Esmail Ghaani arrived", field, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_burst_of_300_alerts_to_20_channels_draws_no_429_and_keeps_each_channels_order()
    {
        await using var host = await DiscordTestHost.StartAsync(s =>
        {
            s.GlobalLimit = 100;
            s.BucketLimit = 5;
            s.BucketWindow = TimeSpan.FromMilliseconds(200);
        });
        var channels = Enumerable.Range(1, 20).Select(i => $"9100000000000000{i:00}").ToArray();
        var entries = Enumerable.Range(1, 300)
            .Select(i => TestAlerts.Entry(i, DiscordTarget.Channel(channels[i % channels.Length])))
            .ToArray();

        // Like the delivery job: channels in parallel, each channel's alerts one after another in outbox order.
        var results = await Task.WhenAll(entries.GroupBy(e => e.Channel).Select(async group =>
        {
            var delivered = new List<DeliveryResult>();
            foreach (var entry in group)
            {
                delivered.Add(await host.Sink.DeliverAsync(entry, CancellationToken.None));
            }

            return delivered;
        })).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(results.SelectMany(r => r), r => Assert.IsType<DeliveryResult.Delivered>(r));
        Assert.Empty(host.Server.RateLimits);
        Assert.Equal(300, host.Server.Requests.Count(r => r.Method == "POST"));
        foreach (var channel in channels)
        {
            var markers = host.Server.MessagesIn(channel).Select(m => Marker(m.Body)).ToArray();
            var expected = entries.Where(e => e.Channel.ExternalId == channel).Select(e => e.DeliveryMarker).ToArray();
            Assert.Equal(expected, markers);
        }
    }

    [Fact]
    public async Task The_fake_does_punish_a_client_that_ignores_rate_limit_headers()
    {
        // Guards the burst test above: if the fake stopped enforcing limits, "zero 429s" would prove nothing.
        await using var server = await FakeDiscordServer.StartAsync();
        server.BucketWindow = TimeSpan.FromSeconds(5);
        using var http = new HttpClient();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{server.ApiBaseUrl}/channels/{Channel}/messages");
            request.Headers.TryAddWithoutValidation("Authorization", $"Bot {server.BotToken}");
            request.Content = new StringContent($$"""{"content":"m{{i}}"}""", System.Text.Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(7, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(7, server.UnexpectedRateLimitCount);
    }

    [Fact]
    public async Task The_fake_refuses_fields_discord_does_not_know_such_as_a_computed_counted_length()
    {
        // Guards the embed assertions: the adapter once sent a computed "counted_length", which Discord answers with 400.
        await using var server = await FakeDiscordServer.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{server.ApiBaseUrl}/channels/{Channel}/messages");
        request.Headers.TryAddWithoutValidation("Authorization", $"Bot {server.BotToken}");
        request.Content = new StringContent("""{"embeds":[{"title":"t","counted_length":1}]}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("embeds.counted_length", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(server.MessagesIn(Channel));
    }

    [Fact]
    public async Task A_per_route_429_goes_back_to_the_outbox_with_its_retry_after_and_the_next_try_is_sent()
    {
        await using var host = await DiscordTestHost.StartAsync();
        host.Server.InjectRateLimit(Channel, TimeSpan.FromMilliseconds(400));
        var entry = TestAlerts.Entry(1, DiscordTarget.Channel(Channel));

        var first = await host.Sink.DeliverAsync(entry, CancellationToken.None);
        var retry = Assert.IsType<DeliveryResult.Retry>(first);
        Assert.InRange(retry.After!.Value, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        await Task.Delay(retry.After.Value);
        var second = await host.Sink.DeliverAsync(entry with { Attempts = 1 }, CancellationToken.None);

        Assert.IsType<DeliveryResult.Delivered>(second);
        var hit = Assert.Single(host.Server.RateLimits);
        Assert.True(hit.Injected);
        Assert.False(hit.Global);
        Assert.Equal(2, host.Server.Requests.Count(r => r.Method == "POST"));
        Assert.Single(host.Server.MessagesIn(Channel));
    }

    [Fact]
    public async Task A_global_429_goes_back_to_the_outbox_and_every_channel_is_delivered_after_it()
    {
        await using var host = await DiscordTestHost.StartAsync();
        var channels = new[] { "920000000000000001", "920000000000000002", "920000000000000003" };
        var entries = channels.Select((c, i) => TestAlerts.Entry(i + 1, DiscordTarget.Channel(c))).ToArray();
        Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(TestAlerts.Entry(100, DiscordTarget.Channel(channels[0])), CancellationToken.None));
        host.Server.InjectGlobalRateLimit(TimeSpan.FromMilliseconds(400));

        var first = await host.Sink.DeliverAsync(entries[0], CancellationToken.None);
        var retry = Assert.IsType<DeliveryResult.Retry>(first);
        Assert.NotNull(retry.After);
        await Task.Delay(retry.After!.Value);
        var all = await Task.WhenAll(entries.Select(e => host.Sink.DeliverAsync(e with { Attempts = 1 }, CancellationToken.None)));

        Assert.All(all, r => Assert.IsType<DeliveryResult.Delivered>(r));
        var hit = Assert.Single(host.Server.RateLimits);
        Assert.True(hit.Global);
        Assert.True(hit.Injected);
        Assert.Equal(2, host.Server.MessagesIn(channels[0]).Count);
        Assert.All(channels.Skip(1), c => Assert.Single(host.Server.MessagesIn(c)));
    }

    [Fact]
    public async Task A_long_retry_after_goes_back_to_the_outbox_as_Retry_with_that_wait()
    {
        await using var host = await DiscordTestHost.StartAsync();
        host.Server.InjectRateLimit(Channel, TimeSpan.FromSeconds(30));

        var result = await host.Sink.DeliverAsync(TestAlerts.Entry(1, DiscordTarget.Channel(Channel)), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.Retry>(result);
        Assert.InRange(retry.After!.Value, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(31));
        Assert.Single(host.Server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task A_retried_send_whose_first_response_was_lost_posts_once()
    {
        await using var host = await DiscordTestHost.StartAsync();
        host.Server.FailAfterCreate(Channel);
        var entry = TestAlerts.Entry(7, DiscordTarget.Channel(Channel));

        var first = await host.Sink.DeliverAsync(entry, CancellationToken.None);
        var second = await host.Sink.DeliverAsync(entry with { Attempts = 1 }, CancellationToken.None);

        Assert.IsType<DeliveryResult.Retry>(first);
        var delivered = Assert.IsType<DeliveryResult.Delivered>(second);
        var message = Assert.Single(host.Server.MessagesIn(Channel));
        Assert.Equal(message.Id, delivered.PlatformMessageId);
        Assert.Single(host.Server.Requests, r => r.Method == "POST");
        Assert.Single(host.Server.Requests, r => r.Method == "GET" && r.Path.StartsWith($"/api/v10/channels/{Channel}/messages", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_send_cut_off_after_discord_created_the_message_is_Unknown_and_its_retry_finds_the_message_instead_of_posting_again()
    {
        await using var host = await DiscordTestHost.StartAsync();
        host.Server.DropAfterCreate(Channel);
        var entry = TestAlerts.Entry(7, DiscordTarget.Channel(Channel));

        var first = await host.Sink.DeliverAsync(entry, CancellationToken.None);
        var second = await host.Sink.DeliverAsync(entry with { Attempts = 1 }, CancellationToken.None);

        Assert.IsType<DeliveryResult.Unknown>(first);
        var delivered = Assert.IsType<DeliveryResult.Delivered>(second);
        var message = Assert.Single(host.Server.MessagesIn(Channel));
        Assert.Equal(message.Id, delivered.PlatformMessageId);
        Assert.Single(host.Server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task A_fresh_database_on_a_channel_holding_alerts_of_an_earlier_one_posts_its_new_alerts()
    {
        // The same outbox row ids (1, 2, 3) in two databases: the old nonce "alert-1" made Discord hand back the earlier
        // database's message; the marker comes from the item, so only the same item in the same channel matches.
        await using var host = await DiscordTestHost.StartAsync();
        OutboxEntry Entry(long id, string item, int attempts) =>
            TestAlerts.Entry(id, DiscordTarget.Channel(Channel)) with { ItemKey = item, Attempts = attempts };
        foreach (var id in new[] { 1L, 2L, 3L })
        {
            Assert.IsType<DeliveryResult.Delivered>(await host.Sink.DeliverAsync(Entry(id, $"old-{id}", 0), CancellationToken.None));
        }

        // The new database's first try, and a retry after an unknown outcome: both post, neither finds an old message.
        var fresh = await host.Sink.DeliverAsync(Entry(1, "new-1", 0), CancellationToken.None);
        var retried = await host.Sink.DeliverAsync(Entry(2, "new-2", 1), CancellationToken.None);

        var messages = host.Server.MessagesIn(Channel);
        Assert.Equal(5, messages.Count);
        Assert.Equal(messages[3].Id, Assert.IsType<DeliveryResult.Delivered>(fresh).PlatformMessageId);
        Assert.Equal(messages[4].Id, Assert.IsType<DeliveryResult.Delivered>(retried).PlatformMessageId);
        Assert.Equal(Entry(2, "new-2", 1).DeliveryMarker, Marker(messages[4].Body));
    }

    [Fact]
    public async Task A_401_stops_every_later_bot_request_and_is_logged_once_without_the_token()
    {
        const string WrongToken = "revoked-token.Abc.123";
        await using var host = await DiscordTestHost.StartAsync(settings: new() { ["AlertBot:Discord:BotToken"] = WrongToken });

        var results = new List<DeliveryResult>();
        for (var i = 1; i <= 3; i++)
        {
            results.Add(await host.Sink.DeliverAsync(TestAlerts.Entry(i, DiscordTarget.Channel($"93000000000000000{i}")), CancellationToken.None));
        }

        Assert.All(results, r => Assert.IsType<DeliveryResult.Retry>(r));
        Assert.Single(host.Server.Requests);
        Assert.Single(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Critical);
        Assert.DoesNotContain(WrongToken, host.AllLogText(), StringComparison.Ordinal);
        Assert.DoesNotContain(WrongToken, string.Join(' ', results.OfType<DeliveryResult.Retry>().Select(r => r.Reason)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(404)]
    public async Task A_channel_that_refuses_or_no_longer_exists_is_ChannelGone(int status)
    {
        await using var host = await DiscordTestHost.StartAsync(s =>
        {
            if (status == 403)
            {
                s.ForbiddenChannels.Add(Channel);
            }
            else
            {
                s.GoneChannels.Add(Channel);
            }
        });

        var result = await host.Sink.DeliverAsync(TestAlerts.Entry(1, DiscordTarget.Channel(Channel)), CancellationToken.None);

        var gone = Assert.IsType<DeliveryResult.ChannelGone>(result);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), gone.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_is_Retry()
    {
        await using var host = await DiscordTestHost.StartAsync();
        host.Server.InjectStatus($"channels/{Channel}", 502);

        var result = await host.Sink.DeliverAsync(TestAlerts.Entry(1, DiscordTarget.Channel(Channel)), CancellationToken.None);

        Assert.IsType<DeliveryResult.Retry>(result);
        Assert.Empty(host.Server.MessagesIn(Channel));
    }

    [Fact]
    public async Task A_webhook_channel_is_sent_through_execute_webhook_without_the_bot_token()
    {
        await using var host = await DiscordTestHost.StartAsync(
            s => s.Webhooks["950000000000000001"] = "hook-secret_TOKEN",
            new() { ["AlertBot:Discord:Webhooks:0"] = "https://discord.com/api/webhooks/950000000000000001/hook-secret_TOKEN" });
        var webhooks = host.Services.GetRequiredService<DiscordWebhooks>();
        var channel = Assert.Single(webhooks.Channels);
        Assert.Equal(new ChannelRef("discord", "webhook:950000000000000001"), channel);

        var result = await host.Sink.DeliverAsync(TestAlerts.Entry(5, channel), CancellationToken.None);

        var delivered = Assert.IsType<DeliveryResult.Delivered>(result);
        var message = Assert.Single(host.Server.MessagesIn("webhook:950000000000000001"));
        Assert.Equal(message.Id, delivered.PlatformMessageId);
        var request = Assert.Single(host.Server.Requests, r => r.Method == "POST");
        Assert.StartsWith("/api/v10/webhooks/950000000000000001/hook-secret_TOKEN?wait=true", request.Path, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Server.BotToken, request.Authorization ?? "", StringComparison.Ordinal);
        Assert.Null(request.Json!["nonce"]);
        Assert.Empty(request.Json!["allowed_mentions"]!["parse"]!.AsArray());
    }

    [Fact]
    public async Task A_webhook_that_is_gone_is_ChannelGone_at_once_and_its_token_never_logged()
    {
        await using var host = await DiscordTestHost.StartAsync(
            settings: new() { ["AlertBot:Discord:Webhooks:0"] = "https://discord.com/api/webhooks/950000000000000002/deleted-hook-TOKEN" });

        var result = await host.Sink.DeliverAsync(TestAlerts.Entry(6, DiscordTarget.Webhook("950000000000000002")), CancellationToken.None);

        var gone = Assert.IsType<DeliveryResult.ChannelGone>(result);
        Assert.Single(host.Server.Requests);
        Assert.DoesNotContain("deleted-hook-TOKEN", gone.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("deleted-hook-TOKEN", host.AllLogText(), StringComparison.Ordinal);
        Assert.Contains("discord:webhook:950000000000000002", host.AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_missing_from_the_configuration_is_retried_later_not_closed()
    {
        await using var host = await DiscordTestHost.StartAsync();

        var result = await host.Sink.DeliverAsync(TestAlerts.Entry(6, DiscordTarget.Webhook("950000000000000003")), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.Retry>(result);
        Assert.Contains("AlertBot:Discord:Webhooks", retry.Reason, StringComparison.Ordinal);
        Assert.NotNull(retry.After);
        Assert.Empty(host.Server.Requests);
    }

    [Fact]
    public async Task An_embed_discord_refuses_is_sent_again_as_plain_text()
    {
        await using var host = await DiscordTestHost.StartAsync();
        host.Server.InjectStatus($"channels/{Channel}", 400);

        var result = await host.Sink.DeliverAsync(TestAlerts.Entry(8, DiscordTarget.Channel(Channel)), CancellationToken.None);

        Assert.IsType<DeliveryResult.Delivered>(result);
        var message = Assert.Single(host.Server.MessagesIn(Channel));
        Assert.Null(message.Body["embeds"]);
        var content = (string)message.Body["content"]!;
        Assert.StartsWith("**Qaani visits Baghdad** (Example News)\n<https://example.org/news/qaani-baghdad>", content, StringComparison.Ordinal);
        Assert.Contains("Matched: Qaani", content, StringComparison.Ordinal);
        Assert.EndsWith(TestAlerts.Entry(8, DiscordTarget.Channel(Channel)).DeliveryMarker, content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_alert_far_over_every_limit_is_shortened_and_accepted_by_discord()
    {
        await using var host = await DiscordTestHost.StartAsync();
        var word = "Houthi ";
        var message = TestAlerts.Message(string.Concat(Enumerable.Repeat(word, 60))) with
        {
            Source = new string('S', 3000),
            Sentences = Enumerable.Range(0, 200).Select(i => $"Sentence {i} about Ansar Allah in the Red Sea 🚢 shipping lanes.").ToArray(),
            Matches = Enumerable.Range(0, 40)
                .Select(i => new MatchExplanation($"Houthis{i}", "Ansar Allah", Core.Matching.MatchField.Body, string.Concat(Enumerable.Repeat("Ansar Allah fired 🚀 again. ", 30))))
                .ToArray(),
        };

        var result = await host.Sink.DeliverAsync(TestAlerts.Entry(1, DiscordTarget.Channel(Channel), message), CancellationToken.None);

        Assert.IsType<DeliveryResult.Delivered>(result);
        var embed = Assert.Single(host.Server.MessagesIn(Channel)).Body["embeds"]![0]!;
        var title = (string)embed["title"]!;
        Assert.InRange(title.Length, 200, 256);
        Assert.EndsWith("Houthi…", title, StringComparison.Ordinal);
        var field = (string)embed["fields"]![0]!["value"]!;
        Assert.InRange(field.Length, 1, 1024);
        Assert.Contains("more", field, StringComparison.Ordinal);
    }

    /// <summary>The delivery marker a posted alert carries (embed footer, or the plain text's last line).</summary>
    internal static string? Marker(System.Text.Json.Nodes.JsonNode body)
    {
        var text = (string?)body["embeds"]?[0]?["footer"]?["text"] ?? (string?)body["content"] ?? "";
        var at = text.LastIndexOf(DeliveryMarkers.Prefix, StringComparison.Ordinal);
        return at < 0 ? null : text[at..];
    }
}
