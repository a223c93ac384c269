using System.Text.Json.Nodes;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Commands;
using AlertBot.Testing.Discord;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;

namespace AlertBot.Discord.Tests.Interactions;

/// <summary>
/// Slash commands through the gateway into Core's real (rate-limited) command processor and a store: a member
/// without MANAGE_CHANNELS changes nothing, whichever command changes settings.
/// </summary>
public sealed class DiscordAuthorizationTests
{
    private const string Admin = "16"; // MANAGE_CHANNELS
    private const string Member = "3072"; // VIEW_CHANNEL | SEND_MESSAGES

    private static readonly ChannelRef Channel = new(Platforms.Discord, FakeDiscordInteractions.ChannelId);

    private readonly SqliteAlertStore _store = TestStores.InMemory();

    private async Task<(DiscordTestHost Host, FakeGatewayConnection Connection)> StartAsync()
    {
        return await DiscordTestHost.StartWithCommandsAsync(_store, new ActorDictionary([new Actor("Qaani", ["Qaani", "Ghaani"])]), "Qaani", "Houthis");
    }

    private static Task<string> RunAsync(DiscordTestHost host, FakeGatewayConnection connection, string name, string? sub, string permissions, Dictionary<string, JsonNode?>? options = null) =>
        host.InteractAsync(connection, FakeDiscordInteractions.SlashCommand(name, sub, options, permissions));

    private Task<string> SnapshotAsync() => ChannelSnapshot.TakeAsync(_store, Channel);

    [Fact]
    public async Task A_member_without_manage_channels_changes_nothing_with_any_settings_command()
    {
        var (host, connection) = await StartAsync();
        await using var owned = host;
        Assert.Contains("Alerts are on", await RunAsync(host, connection, "alerts", "subscribe", Admin), StringComparison.Ordinal);
        Assert.Contains("Added feed", await RunAsync(host, connection, "feeds", "add", Admin, new() { ["url"] = "https://news.example/rss" }), StringComparison.Ordinal);
        var feedId = (await _store.FindFeedByUrlAsync("https://news.example/rss", default))!.Id;
        var before = await SnapshotAsync();

        (string Name, string Sub, Dictionary<string, JsonNode?>? Options)[] attempts =
        [
            ("alerts", "subscribe", null),
            ("alerts", "unsubscribe", null),
            ("alerts", "pause", null),
            ("alerts", "resume", null),
            ("watch", "add", new() { ["term"] = "Hezbollah" }),
            ("watch", "remove", new() { ["term"] = "Qaani" }),
            ("feeds", "add", new() { ["url"] = "https://evil.example/rss" }),
            ("feeds", "remove", new() { ["id"] = feedId }),
        ];
        foreach (var (name, sub, options) in attempts)
        {
            var reply = await RunAsync(host, connection, name, sub, Member, options);
            Assert.Contains("Only an admin", reply, StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotAsync());

        // Reading is open to members, and shows the admin's settings.
        Assert.Contains("Qaani", await RunAsync(host, connection, "watch", "list", Member), StringComparison.Ordinal);

        // The admin's pause holds against a member's resume.
        await RunAsync(host, connection, "alerts", "pause", Admin);
        Assert.Contains("Only an admin", await RunAsync(host, connection, "alerts", "resume", Member), StringComparison.Ordinal);
        Assert.True((await _store.GetChannelAsync(Channel, default))!.Paused);
    }

    [Fact]
    public async Task A_member_with_administrator_but_not_manage_channels_counts_as_an_admin()
    {
        var (host, connection) = await StartAsync();
        await using var owned = host;

        var reply = await RunAsync(host, connection, "alerts", "subscribe", "8"); // ADMINISTRATOR

        Assert.Contains("Alerts are on", reply, StringComparison.Ordinal);
        Assert.True((await _store.GetChannelAsync(Channel, default))!.Active);
    }
}

/// <summary>A flood Core has already told to slow down gets no reply at all on Discord: no edit of the deferral.</summary>
public sealed class DiscordSilenceTests
{
    [Fact]
    public async Task A_silenced_command_is_deferred_but_never_answered()
    {
        await using var host = await DiscordTestHost.StartAsync();
        host.Commands.Reply = (command, _) => command is StatusArgs ? CommandReply.Silence : new CommandReply("ok: " + command);
        await host.StartGatewayAsync();
        var connection = await host.Server.AcceptGatewayAsync();
        await connection.SendHelloAsync(45_000);
        await connection.ExpectAsync(2);
        await connection.SendReadyAsync("session-1", host.Server.ResumeGatewayUrl);

        var silenced = FakeDiscordInteractions.SlashCommand("alerts", "status");
        await connection.SendDispatchAsync("INTERACTION_CREATE", silenced);
        await host.Server.WaitForRequestAsync(r => r.Path.Contains((string)silenced["token"]!, StringComparison.Ordinal));
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (host.Commands.Calls.IsEmpty)
            {
                await Task.Delay(10, deadline.Token);
            }
        }

        // The next command is answered, and by then the silenced one has long been dropped without an edit.
        var answered = FakeDiscordInteractions.SlashCommand("help", null);
        await connection.SendDispatchAsync("INTERACTION_CREATE", answered);
        var edit = await host.Server.WaitForRequestAsync(r => r.Method == "PATCH");

        Assert.Contains((string)answered["token"]!, edit.Path, StringComparison.Ordinal);
        Assert.Equal("ok: HelpArgs { }", (string?)edit.Json!["content"]);
        Assert.DoesNotContain(host.Server.Requests, r => r.Method == "PATCH" && r.Path.Contains((string)silenced["token"]!, StringComparison.Ordinal));
        Assert.Single(host.Server.Requests, r => r.Path.Contains((string)silenced["token"]!, StringComparison.Ordinal)); // the deferral only
    }
}
