using System.Net.WebSockets;
using System.Text.Json.Nodes;
using AlertBot.Core.Commands;
using AlertBot.Testing.Discord;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlertBot.Discord.Tests.Gateway;

public sealed class DiscordGatewayTests
{
    // Discord.Net reconnects when no frame came within one interval: short, but not so short that a busy machine trips it.
    private const int FastBeatMs = 1000;

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
        Assert.Equal("?v=10&encoding=json&compress=zlib-stream", connection.Query);
        await connection.SendHelloAsync(FastBeatMs);
        var identify = (await connection.ExpectAsync(2))["d"]!;
        Assert.Equal(host.Server.BotToken, (string?)identify["token"]);
        Assert.Equal(1, (int?)identify["intents"]);
        Assert.NotNull(identify["properties"]?["$os"] ?? identify["properties"]?["os"]);
        await connection.SendReadyAsync("session-1", host.Server.ResumeGatewayUrl);

        var registration = await host.Server.WaitForRequestAsync(r => r.Method == "PUT");
        Assert.Equal($"/api/v10/applications/{FakeDiscordServer.ApplicationId}/commands", registration.Path);
        var connected = await host.WaitForLogAsync(r => r.Message.StartsWith("Discord: connected as", StringComparison.Ordinal));
        Assert.Equal("Discord: connected as AlertBot. Use /subscribe in a channel to start alerts.", connected.Message);
        Assert.Equal(LogLevel.Information, connected.Level);
        var commands = registration.Json!.AsArray();
        Assert.Equal(["alerts", "watch", "feeds", "test", "actors", "escalate", "trend", "help"], commands.Select(c => (string?)c!["name"]));
        Assert.Equal("16", commands.Single(c => (string?)c!["name"] == "watch")!["default_member_permissions"]?.ToString());
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
        Assert.Equal("done: WatchArgs { Action = Add, Term = Red Sea } (admin=True)", (string?)edit.Json!["content"]);
        Assert.Empty(edit.Json!["allowed_mentions"]!["parse"]!.AsArray());

        var (command, context) = Assert.Single(host.Commands.Calls);
        Assert.Equal(new WatchArgs(WatchAction.Add, "Red Sea"), command);
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
    public async Task A_refused_command_registration_logs_discords_field_errors()
    {
        await using var host = await DiscordTestHost.StartAsync(s => s.InjectInvalidFormBody(
            $"applications/{FakeDiscordServer.ApplicationId}/commands", "0.options.1.description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."));
        await host.StartGatewayAsync();
        var connection = await host.Server.AcceptGatewayAsync();
        await connection.SendHelloAsync(41_250);
        await connection.ExpectAsync(2);
        await connection.SendReadyAsync("session-1", host.Server.ResumeGatewayUrl);

        var logged = await host.WaitForLogAsync(r => r.Message.StartsWith("Could not register Discord slash commands", StringComparison.Ordinal));

        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("50035", logged.Message, StringComparison.Ordinal);
        Assert.Contains("BASE_TYPE_BAD_LENGTH Must be between 1 and 100 in length.", logged.Message, StringComparison.Ordinal);
        Assert.Contains("description", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_that_cannot_be_reached_is_one_warning_line_without_a_stack_trace()
    {
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var host = await DiscordTestHost.StartAsync(settings: new() { ["AlertBot:Discord:GatewayUrl"] = $"ws://127.0.0.1:{port}/gateway" });
        await host.StartGatewayAsync();

        var failed = await host.WaitForLogAsync(r => r.Level == LogLevel.Warning && r.Message.Contains("Connection refused", StringComparison.Ordinal), TimeSpan.FromSeconds(20));

        Assert.Null(failed.Exception);
        Assert.DoesNotContain("\n   at ", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Level >= LogLevel.Warning && r.Exception is not null);
    }

    [Fact]
    public async Task Heartbeats_carry_the_last_sequence_number()
    {
        var (host, connection) = await StartReadyAsync();
        await using var owned = host;
        await connection.SendDispatchAsync("TYPING_START", new JsonObject { ["channel_id"] = FakeDiscordInteractions.ChannelId, ["user_id"] = FakeDiscordInteractions.UserId, ["timestamp"] = 1 });

        // READY was 1 and GUILD_CREATE 2; beats sent before the dispatch arrived may still say 2, a later one says 3.
        JsonNode beat;
        do
        {
            beat = await connection.NextHeartbeatAsync();
        }
        while ((long?)beat["d"] != 3);

        Assert.Equal(3, (long?)beat["d"]);
    }

    [Fact]
    public async Task A_non_admins_mutating_command_reaches_core_with_UserIsAdmin_false()
    {
        var (host, connection) = await StartReadyAsync();
        await using var owned = host;

        // VIEW_CHANNEL | SEND_MESSAGES, no MANAGE_CHANNELS or ADMINISTRATOR.
        await connection.SendDispatchAsync("INTERACTION_CREATE", FakeDiscordInteractions.SlashCommand("alerts", "subscribe", permissions: "3072"));
        var edit = await host.Server.WaitForRequestAsync(r => r.Method == "PATCH");

        var (command, context) = Assert.Single(host.Commands.Calls);
        Assert.Equal(new SubscribeArgs(), command);
        Assert.False(context.UserIsAdmin);
        Assert.Equal("done: SubscribeArgs { Name =  } (admin=False)", (string?)edit.Json!["content"]);
    }

    [Fact]
    public async Task An_interaction_already_acknowledged_by_an_earlier_try_is_still_run_and_answered_in_place()
    {
        var (host, connection) = await StartReadyAsync();
        await using var owned = host;
        var interaction = FakeDiscordInteractions.SlashCommand("watch", "add", new Dictionary<string, JsonNode?> { ["term"] = "Houthis" });

        // Discord took an earlier defer whose answer was lost: the bot's callback is refused with 40060.
        host.Server.AcknowledgeInteraction(interaction);
        await connection.SendDispatchAsync("INTERACTION_CREATE", interaction);

        var edit = await host.Server.WaitForRequestAsync(r => r.Method == "PATCH");
        var callback = host.Server.Requests.Single(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Equal(400, callback.Status);
        Assert.Equal(200, edit.Status);
        Assert.Equal("done: WatchArgs { Action = Add, Term = Houthis } (admin=True)", (string?)edit.Json!["content"]);
        Assert.Single(host.Commands.Calls);
    }

    [Fact]
    public async Task A_second_callback_for_one_interaction_is_refused_and_an_unanswered_one_has_no_original_to_edit()
    {
        // The fake's interaction rules are Discord's: one initial response per interaction (40060 after it), and
        // @original exists only once there was one (404 Unknown Webhook before).
        await using var server = await FakeDiscordServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseAddress + "/") };
        var interaction = FakeDiscordInteractions.SlashCommand("help", null);
        var callbackPath = $"api/v10/interactions/{interaction["id"]}/{interaction["token"]}/callback";
        var originalPath = $"api/v10/webhooks/{FakeDiscordServer.ApplicationId}/{interaction["token"]}/messages/@original";
        static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

        using var early = await http.PatchAsync(originalPath, Json("""{"content":"too early"}"""));
        using var first = await http.PostAsync(callbackPath, Json("""{"type":5,"data":{"flags":64}}"""));
        using var second = await http.PostAsync(callbackPath, Json("""{"type":5,"data":{"flags":64}}"""));
        using var forged = await http.PostAsync(callbackPath.Replace("interaction-token-", "forged-", StringComparison.Ordinal), Json("""{"type":5}"""));
        using var edit = await http.PatchAsync(originalPath, Json("""{"content":"done"}"""));

        Assert.Equal(404, (int)early.StatusCode);
        Assert.Contains("10015", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(204, (int)first.StatusCode);
        Assert.Equal(400, (int)second.StatusCode);
        Assert.Contains("40060", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(404, (int)forged.StatusCode);
        Assert.Contains("10062", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(200, (int)edit.StatusCode);
    }

    [Fact]
    public async Task A_command_from_a_channel_missing_from_the_cache_is_answered_and_counts_as_not_admin_without_roles()
    {
        var (host, connection) = await StartReadyAsync();
        await using var owned = host;
        var interaction = FakeDiscordInteractions.SlashCommand("alerts", "subscribe", permissions: "3072", channelId: "610000000000000002");

        await connection.SendDispatchAsync("INTERACTION_CREATE", interaction);
        var edit = await host.Server.WaitForRequestAsync(r => r.Method == "PATCH");

        var (_, context) = Assert.Single(host.Commands.Calls);
        Assert.Equal(new Core.Channels.ChannelRef("discord", "610000000000000002"), context.Channel);
        Assert.False(context.UserIsAdmin);
        Assert.Equal("done: SubscribeArgs { Name =  } (admin=False)", (string?)edit.Json!["content"]);
    }

    [Fact]
    public async Task With_two_shards_recommended_commands_from_guilds_on_both_shards_are_answered()
    {
        await using var host = await DiscordTestHost.StartAsync(s =>
        {
            s.Shards = 2;
            s.MaxConcurrency = 2;
        });
        await host.StartGatewayAsync();

        // One guild per shard, placed as Discord places them: (guild_id >> 22) % shard_count.
        var guilds = new string[2];
        for (var id = 600000000000000001UL; guilds.Any(g => g is null); id += 1UL << 22)
        {
            guilds[(int)((id >> 22) % 2)] ??= id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var shards = new FakeGatewayConnection[2];
        for (var i = 0; i < 2; i++)
        {
            var connection = await host.Server.AcceptGatewayAsync(TimeSpan.FromSeconds(20));
            await connection.SendHelloAsync(41_250);
            var shard = (await connection.ExpectAsync(2, TimeSpan.FromSeconds(20)))["d"]!["shard"]!.AsArray();
            var index = (int)shard[0]!;
            Assert.Equal(2, (int)shard[1]!);
            shards[index] = connection;
            await connection.SendReadyAsync($"session-{index}", host.Server.ResumeGatewayUrl, new JsonArray(index, 2), [guilds[index]]);
        }

        for (var i = 0; i < 2; i++)
        {
            var channel = FakeGatewayConnection.ChannelOf(guilds[i]);
            var interaction = FakeDiscordInteractions.SlashCommand("alerts", "status", guildId: guilds[i], channelId: channel);
            await shards[i].SendDispatchAsync("INTERACTION_CREATE", interaction);
            var edit = await host.Server.WaitForRequestAsync(r => r.Method == "PATCH" && r.Path.Contains((string)interaction["token"]!, StringComparison.Ordinal));
            Assert.Equal("done: StatusArgs { } (admin=True)", (string?)edit.Json!["content"]);
        }

        Assert.Equal(
            [FakeGatewayConnection.ChannelOf(guilds[0]), FakeGatewayConnection.ChannelOf(guilds[1])],
            host.Commands.Calls.Select(c => c.Context.Channel.ExternalId));
    }

    [Fact]
    public async Task A_direct_message_command_is_private_and_its_user_may_change_everything()
    {
        var (host, connection) = await StartReadyAsync();
        await using var owned = host;

        await connection.SendDispatchAsync("INTERACTION_CREATE", FakeDiscordInteractions.SlashCommand("alerts", "subscribe", permissions: null, channelId: "610000000000000077"));
        await host.Server.WaitForRequestAsync(r => r.Method == "PATCH");

        var (_, context) = Assert.Single(host.Commands.Calls);
        Assert.True(context.IsPrivate);
        Assert.True(context.UserIsAdmin);
        Assert.Equal(FakeDiscordInteractions.UserId, context.UserId);
    }

    [Fact]
    public async Task A_lost_heartbeat_ack_closes_the_zombie_without_1000_and_resumes_on_the_resume_url()
    {
        var (host, first) = await StartReadyAsync();
        await using var owned = host;
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
        await AssertResumesAsync(host, expectedSeq: 2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Op_9_invalid_session_identifies_anew_and_the_new_session_answers_commands(bool resumable)
    {
        // Discord.Net answers op 9 with a fresh identify on the same connection whatever d says (allowed by Discord:
        // a resumable session may also be replaced). It first waits out the identify pause (seconds), so the beat
        // interval here is Discord's own, not the fast one.
        var (host, first) = await StartReadyAsync(heartbeatMs: 41_250);
        await using var owned = host;

        await first.SendAsync(new JsonObject { ["op"] = 9, ["d"] = resumable });

        Assert.Equal(host.Server.BotToken, (string?)(await first.ExpectAsync(2, TimeSpan.FromSeconds(15)))["d"]!["token"]);
        await first.SendReadyAsync("session-2", host.Server.ResumeGatewayUrl);
        await first.SendDispatchAsync("INTERACTION_CREATE", FakeDiscordInteractions.SlashCommand("help", null));
        var edit = await host.Server.WaitForRequestAsync(r => r.Method == "PATCH");
        Assert.Equal("done: HelpArgs { } (admin=True)", (string?)edit.Json!["content"]);
    }

    [Fact]
    public async Task A_dropped_connection_resumes_and_a_resume_that_fails_re_identifies()
    {
        var (host, first) = await StartReadyAsync();
        await using var owned = host;

        await first.CloseAsync(4000, "unknown error");
        var second = await host.Server.AcceptGatewayAsync();
        Assert.Equal("/resume-gateway", second.Path);
        await second.SendHelloAsync(FastBeatMs);
        Assert.Equal("session-1", (string?)(await second.ExpectAsync(6))["d"]!["session_id"]);

        // The session is gone: Discord says so with op 9, and the client identifies on the same connection.
        await second.SendAsync(new JsonObject { ["op"] = 9, ["d"] = false });
        Assert.Equal(host.Server.BotToken, (string?)(await second.ExpectAsync(2, TimeSpan.FromSeconds(15)))["d"]!["token"]);
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

        var fatal = await host.WaitForLogAsync(r => r.Level == LogLevel.Critical && r.Message.Contains("4004", StringComparison.Ordinal));
        Assert.Contains("token was refused", fatal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Server.BotToken, host.AllLogText(), StringComparison.Ordinal);
        var probe = host.Services.GetServices<Core.Diagnostics.IReadinessProbe>().Single(p => p.Name == "discord-gateway");
        Assert.Equal("unauthorized: the token was refused", (await probe.CheckAsync(CancellationToken.None)).Detail);

        // The shards are stopped before the fatal line is written, so no connection can be on its way.
        Assert.False(host.Server.TryAcceptGateway(out _));
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
        Assert.Equal("done: HelpArgs { } (admin=True)", (string?)edit.Json!["content"]);
        Assert.False(connection.Closed.IsCompleted);
        Assert.False(host.Server.TryAcceptGateway(out _));
        Assert.Equal(3, host.Logs.GetSnapshot().Count(r => r.Message.Contains("skipped", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_server_heartbeat_request_is_answered_at_once()
    {
        // An interval far longer than the test, so any beat seen came from the op 1 (the jittered first beat is
        // random; in the rare case it lands early the test still holds).
        var (host, connection) = await StartReadyAsync(heartbeatMs: 600_000);
        await using var owned = host;

        await connection.SendAsync(new JsonObject { ["op"] = 1, ["d"] = null });

        // Discord.Net beats once on Hello, before READY; the answer to op 1 carries READY's and GUILD_CREATE's sequence.
        JsonNode beat;
        do
        {
            beat = await connection.NextHeartbeatAsync(TimeSpan.FromSeconds(5));
        }
        while ((long?)beat["d"] is null or 0);

        Assert.Equal(2, (long?)beat["d"]);
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
        Assert.Equal("?v=10&encoding=json&compress=zlib-stream", next.Query);
        await next.SendHelloAsync(FastBeatMs);
        var resume = (await next.ExpectAsync(6))["d"]!;
        Assert.Equal("session-1", (string?)resume["session_id"]);
        Assert.Equal(expectedSeq, (long?)resume["seq"]);
        Assert.Equal(host.Server.BotToken, (string?)resume["token"]);
    }
}
