using System.Net.WebSockets;
using System.Text.Json.Nodes;
using AlertBot.Testing.Discord;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlertBot.Discord.Tests.Gateway;

public sealed class DiscordGatewayTests
{
    private const int FastBeatMs = 150;

    /// <summary>Host started, first connection accepted, Hello sent, Identify checked, READY sent.</summary>
    private static async Task<(DiscordTestHost Host, FakeGatewayConnection Connection)> StartReadyAsync(
        int heartbeatMs = FastBeatMs, Dictionary<string, string?>? settings = null)
    {
        var host = await DiscordTestHost.StartAsync(settings: settings);
        await host.StartGatewayAsync();
        var connection = await host.Server.AcceptGatewayAsync();
        await connection.SendHelloAsync(heartbeatMs);
        await connection.ExpectAsync(2);
        await connection.SendReadyAsync("session-1", host.Server.ResumeGatewayUrl);
        return (host, connection);
    }

    [Fact]
    public async Task Identifies_with_the_guilds_intent_then_answers_a_slash_command_with_a_deferred_ephemeral_reply()
    {
        await using var host = await DiscordTestHost.StartAsync();
        await host.StartGatewayAsync();

        var connection = await host.Server.AcceptGatewayAsync();
        Assert.Equal("/gateway", connection.Path);
        Assert.Equal("?v=10&encoding=json", connection.Query);
        await connection.SendHelloAsync(FastBeatMs);
        var identify = (await connection.ExpectAsync(2))["d"]!;
        Assert.Equal(host.Server.BotToken, (string?)identify["token"]);
        Assert.Equal(1, (int?)identify["intents"]);
        Assert.NotNull(identify["properties"]?["os"]);
        await connection.SendReadyAsync("session-1", host.Server.ResumeGatewayUrl);

        var registration = await host.Server.WaitForRequestAsync(r => r.Method == "PUT");
        Assert.Equal($"/api/v10/applications/{FakeDiscordServer.ApplicationId}/commands", registration.Path);
        var commands = registration.Json!.AsArray();
        Assert.Equal(["alerts", "watch", "feeds", "test", "actors", "help"], commands.Select(c => (string?)c!["name"]));
        Assert.Equal("16", (string?)commands.Single(c => (string?)c!["name"] == "watch")!["default_member_permissions"]);
        Assert.Null(commands.Single(c => (string?)c!["name"] == "help")!["default_member_permissions"]);

        var interaction = FakeDiscordInteractions.SlashCommand("watch", "add", new Dictionary<string, JsonNode?> { ["term"] = "Red Sea" });
        await connection.SendDispatchAsync("INTERACTION_CREATE", interaction);

        var edit = await host.Server.WaitForRequestAsync(r => r.Method == "PATCH");
        var callback = host.Server.Requests.Single(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Equal($"/api/v10/interactions/{interaction["id"]}/{interaction["token"]}/callback", callback.Path);
        Assert.Equal(5, (int?)callback.Json!["type"]);
        Assert.Equal(64, (int?)callback.Json!["data"]!["flags"]);
        Assert.True(callback.Sequence < edit.Sequence);
        Assert.Equal($"/api/v10/webhooks/{FakeDiscordServer.ApplicationId}/{interaction["token"]}/messages/@original", edit.Path);
        Assert.Equal("done: /watch add \"Red Sea\" (admin=True)", (string?)edit.Json!["content"]);
        Assert.Empty(edit.Json!["allowed_mentions"]!["parse"]!.AsArray());

        var (text, context) = Assert.Single(host.Commands.Calls);
        Assert.Equal("/watch add \"Red Sea\"", text);
        Assert.Equal(new Core.Channels.ChannelRef("discord", FakeDiscordInteractions.ChannelId), context.Channel);
        Assert.Equal(FakeDiscordInteractions.UserId, context.UserId);
        Assert.Equal("alerts", context.ChannelTitle);
        Assert.True(context.UserIsAdmin);
        Assert.False(context.IsPrivate);
    }

    [Fact]
    public async Task With_a_development_guild_commands_are_registered_on_that_guild_only()
    {
        var (host, _) = await StartReadyAsync(settings: new() { ["AlertBot:Discord:DevelopmentGuildId"] = FakeDiscordInteractions.GuildId });
        await using var owned = host;

        var registration = await host.Server.WaitForRequestAsync(r => r.Method == "PUT");

        Assert.Equal($"/api/v10/applications/{FakeDiscordServer.ApplicationId}/guilds/{FakeDiscordInteractions.GuildId}/commands", registration.Path);
        Assert.Equal($"Bot {host.Server.BotToken}", registration.Authorization);
    }

    [Fact]
    public async Task Heartbeats_carry_the_last_sequence_number()
    {
        var (host, connection) = await StartReadyAsync();
        await using var owned = host;
        await connection.SendDispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = FakeDiscordInteractions.GuildId });

        // Beats sent before the dispatch arrived may still say 1; one of the next ones must say 2.
        JsonNode beat;
        do
        {
            beat = await connection.NextHeartbeatAsync();
        }
        while ((long?)beat["d"] != 2);

        Assert.Equal(2, (long?)beat["d"]);
    }

    [Fact]
    public async Task A_non_admins_mutating_command_reaches_core_with_UserIsAdmin_false()
    {
        var (host, connection) = await StartReadyAsync();
        await using var owned = host;

        // VIEW_CHANNEL | SEND_MESSAGES, no MANAGE_CHANNELS or ADMINISTRATOR.
        await connection.SendDispatchAsync("INTERACTION_CREATE", FakeDiscordInteractions.SlashCommand("alerts", "subscribe", permissions: "3072"));
        var edit = await host.Server.WaitForRequestAsync(r => r.Method == "PATCH");

        var (text, context) = Assert.Single(host.Commands.Calls);
        Assert.Equal("/subscribe", text);
        Assert.False(context.UserIsAdmin);
        Assert.Equal("done: /subscribe (admin=False)", (string?)edit.Json!["content"]);
    }

    [Fact]
    public async Task A_lost_heartbeat_ack_closes_the_zombie_without_1000_and_resumes_on_the_resume_url()
    {
        var (host, first) = await StartReadyAsync();
        await using var owned = host;
        await first.SendDispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = FakeDiscordInteractions.GuildId });
        first.AutoAck = false;

        var code = await first.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(code);
        Assert.NotEqual(WebSocketCloseStatus.NormalClosure, code);
        Assert.NotEqual(WebSocketCloseStatus.EndpointUnavailable, code);

        await AssertResumesAsync(host, expectedSeq: 2);
    }

    [Fact]
    public async Task Op_7_reconnect_resumes_the_session()
    {
        var (host, first) = await StartReadyAsync();
        await using var owned = host;

        await first.SendAsync(new JsonObject { ["op"] = 7, ["d"] = null });

        Assert.NotEqual(WebSocketCloseStatus.NormalClosure, await first.Closed.WaitAsync(TimeSpan.FromSeconds(10)));
        await AssertResumesAsync(host, expectedSeq: 1);
    }

    [Fact]
    public async Task Op_9_resumable_resumes_the_session()
    {
        var (host, first) = await StartReadyAsync();
        await using var owned = host;

        await first.SendAsync(new JsonObject { ["op"] = 9, ["d"] = true });

        await AssertResumesAsync(host, expectedSeq: 1);
    }

    [Fact]
    public async Task Op_9_not_resumable_starts_a_new_session_with_identify()
    {
        var (host, first) = await StartReadyAsync();
        await using var owned = host;

        await first.SendAsync(new JsonObject { ["op"] = 9, ["d"] = false });

        var second = await host.Server.AcceptGatewayAsync();
        Assert.Equal("/gateway", second.Path);
        await second.SendHelloAsync(FastBeatMs);
        await second.ExpectAsync(2);
        Assert.Equal(2, host.Server.Requests.Count(r => r.Path == "/api/v10/gateway/bot"));
    }

    [Fact]
    public async Task A_dropped_connection_without_a_close_code_resumes_and_a_resume_that_fails_re_identifies()
    {
        var (host, first) = await StartReadyAsync();
        await using var owned = host;

        await first.CloseAsync(4000, "unknown error");
        var second = await host.Server.AcceptGatewayAsync();
        Assert.Equal("/resume-gateway", second.Path);
        await second.SendHelloAsync(FastBeatMs);
        await second.ExpectAsync(6);
        await second.CloseAsync(4009, "session timed out");

        var third = await host.Server.AcceptGatewayAsync();
        Assert.Equal("/gateway", third.Path);
        await third.SendHelloAsync(FastBeatMs);
        await third.ExpectAsync(2);
    }

    [Fact]
    public async Task Close_4004_is_fatal_logged_plainly_and_never_reconnected()
    {
        await using var host = await DiscordTestHost.StartAsync();
        await host.StartGatewayAsync();
        var connection = await host.Server.AcceptGatewayAsync();
        await connection.SendHelloAsync(FastBeatMs);
        await connection.ExpectAsync(2);

        await connection.CloseAsync(4004, "Authentication failed.");

        var fatal = await host.WaitForLogAsync(r => r.Level == LogLevel.Critical);
        Assert.Contains("4004 authentication failed", fatal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Server.BotToken, host.AllLogText(), StringComparison.Ordinal);

        // The client logs the fatal close after deciding not to reconnect, so no connection can be on its way.
        Assert.False(host.Server.TryAcceptGateway(out _));
        Assert.Single(host.Server.Requests, r => r.Path == "/api/v10/gateway/bot");
    }

    [Fact]
    public async Task Malformed_frames_and_unknown_opcodes_are_skipped_and_a_fragmented_message_is_reassembled()
    {
        var (host, connection) = await StartReadyAsync();
        await using var owned = host;

        await connection.SendRawAsync("{this is not json");
        await connection.SendRawAsync("[1, 2, 3]");
        await connection.SendRawAsync("""{"op":"ten"}""");
        await connection.SendAsync(new JsonObject { ["op"] = 42, ["d"] = new JsonObject() });
        await connection.SendAsync(new JsonObject { ["op"] = 0, ["t"] = "SOMETHING_NEW", ["s"] = 2, ["d"] = 5 });
        var interaction = FakeDiscordInteractions.SlashCommand("help", null);
        var payload = new JsonObject { ["op"] = 0, ["t"] = "INTERACTION_CREATE", ["s"] = 3, ["d"] = interaction };
        await connection.SendRawAsync(payload.ToJsonString(), fragments: 7);

        var edit = await host.Server.WaitForRequestAsync(r => r.Method == "PATCH");
        Assert.Equal("done: /help (admin=True)", (string?)edit.Json!["content"]);
        Assert.False(connection.Closed.IsCompleted);
        Assert.False(host.Server.TryAcceptGateway(out _));
        Assert.Equal(4, host.Logs.GetSnapshot().Count(r => r.Message.Contains("skipped", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_server_heartbeat_request_is_answered_at_once()
    {
        // An interval far longer than the test, so any beat seen came from the op 1 (the jittered first beat is
        // random; in the rare case it lands early the test still holds).
        var (host, connection) = await StartReadyAsync(heartbeatMs: 600_000);
        await using var owned = host;

        await connection.SendAsync(new JsonObject { ["op"] = 1, ["d"] = null });

        var beat = await connection.NextHeartbeatAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, (long?)beat["d"]);
    }

    [Fact]
    public async Task With_no_session_starts_left_it_waits_for_the_reset_instead_of_identifying()
    {
        await using var host = await DiscordTestHost.StartAsync(s => s.SessionStartRemaining = 0);
        await host.StartGatewayAsync();

        await host.WaitForLogAsync(r => r.Message.Contains("session_start_limit", StringComparison.Ordinal));

        Assert.False(host.Server.TryAcceptGateway(out _));
    }

    [Fact]
    public async Task Stopping_the_service_ends_the_connection_with_a_normal_close()
    {
        var (host, connection) = await StartReadyAsync();
        await using var owned = host;
        var service = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Single();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await service.StopAsync(cts.Token);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await connection.Closed.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task AssertResumesAsync(DiscordTestHost host, long expectedSeq)
    {
        var next = await host.Server.AcceptGatewayAsync();
        Assert.Equal("/resume-gateway", next.Path);
        Assert.Equal("?v=10&encoding=json", next.Query);
        await next.SendHelloAsync(FastBeatMs);
        var resume = (await next.ExpectAsync(6))["d"]!;
        Assert.Equal("session-1", (string?)resume["session_id"]);
        Assert.Equal(expectedSeq, (long?)resume["seq"]);
        Assert.Equal(host.Server.BotToken, (string?)resume["token"]);
        Assert.Single(host.Server.Requests, r => r.Path == "/api/v10/gateway/bot");
    }
}
