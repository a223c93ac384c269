using System.Text;
using System.Text.Json.Nodes;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Discord;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;

namespace AlertBot.Discord.Tests.Interactions;

/// <summary>/feeds import file:&lt;attachment&gt; (download from the attachment URL, capped) and /feeds export.</summary>
public sealed class DiscordOpmlTests
{
    private const string Admin = "16";
    private static readonly ChannelRef Channel = new(Platforms.Discord, FakeDiscordInteractions.ChannelId);

    private readonly SqliteAlertStore _store = TestStores.InMemory();

    private async Task<(DiscordTestHost Host, FakeGatewayConnection Connection)> StartAsync()
    {
        return await DiscordTestHost.StartWithCommandsAsync(_store, new ActorDictionary([new Actor("Qaani", ["Qaani"])]), "Qaani");
    }

    private static Task<string> RunAsync(DiscordTestHost host, FakeGatewayConnection connection, JsonObject interaction) =>
        host.InteractAsync(connection, interaction);

    private static JsonObject Import(string id, string fileName, long size, string url) =>
        FakeDiscordInteractions.WithAttachment(FakeDiscordInteractions.SlashCommand("feeds", "import", permissions: Admin), "file", id, fileName, size, url);

    [Fact]
    public async Task Import_downloads_the_attachment_and_export_shows_the_opml()
    {
        var (host, connection) = await StartAsync();
        await using var owned = host;
        await RunAsync(host, connection, FakeDiscordInteractions.SlashCommand("alerts", "subscribe", permissions: Admin));
        var opml = Encoding.UTF8.GetBytes("<opml version=\"2.0\"><body><outline text=\"A\" xmlUrl=\"https://a.example/rss\"/><outline text=\"B\" xmlUrl=\"https://b.example/feed\"/></body></opml>");
        var url = host.Server.AddAttachment("700000000000000001", "reader.opml", opml);

        var imported = await RunAsync(host, connection, Import("700000000000000001", "reader.opml", opml.Length, url));

        Assert.Contains("added 2, already there 0, refused 0", imported, StringComparison.Ordinal);
        var channel = (await _store.GetChannelAsync(Channel, default))!;
        Assert.Equal(["https://a.example/rss", "https://b.example/feed"], (await _store.ListChannelFeedsAsync(channel.Id, default)).Select(f => f.Url));

        // A host that is neither Discord's CDN nor the API host is never fetched; a stated size over the cap is not either.
        Assert.Contains("Attach an OPML file", await RunAsync(host, connection, Import("700000000000000002", "x.opml", 10, "https://files.example.org/x.opml")), StringComparison.Ordinal);
        Assert.Contains("too big", await RunAsync(host, connection, Import("700000000000000001", "reader.opml", CommandAttachment.MaxBytes + 1L, url)), StringComparison.Ordinal);
        // Served bytes over the cap are cut off whatever size was stated.
        var huge = host.Server.AddAttachment("700000000000000003", "huge.opml", new byte[CommandAttachment.MaxBytes + 10]);
        Assert.Contains("too big", await RunAsync(host, connection, Import("700000000000000003", "huge.opml", 100, huge)), StringComparison.Ordinal);
        Assert.Equal(2, host.Server.AttachmentDownloads);

        // The export is a real .opml file, sent as an ephemeral follow-up to the reply.
        var export = FakeDiscordInteractions.SlashCommand("feeds", "export", permissions: Admin);
        var exported = await RunAsync(host, connection, export);
        Assert.Contains("2 feeds as OPML", exported, StringComparison.Ordinal);
        var followUp = await host.Server.WaitForRequestAsync(r => r.Method == "POST" && r.Path.Contains((string)export["token"]!, StringComparison.Ordinal) && r.Files.Count > 0);
        Assert.Equal(200, followUp.Status);
        var (fileName, content) = Assert.Single(followUp.Files);
        Assert.EndsWith(".opml", fileName, StringComparison.Ordinal);
        Assert.StartsWith("<?xml", content, StringComparison.Ordinal);
        Assert.Contains("xmlUrl=\"https://b.example/feed\"", content, StringComparison.Ordinal);
        Assert.Equal(64, (int?)followUp.Json!["flags"]);
    }
}
