using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Digests;
using AlertBot.Core.Stories;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>/digest, /watch priority|normal and /actors through the worker's command processor on real SQLite.</summary>
public sealed class StoryCommandTests
{
    private static readonly CommandContext Private = new(new ChannelRef("test", "dm"), "dm", "u1", UserIsAdmin: false, IsPrivate: true);
    private static readonly CommandContext GroupMember = new(new ChannelRef("test", "group"), "group", "u2", UserIsAdmin: false, IsPrivate: false);

    // A feed is configured but never polled here: commands only.
    private static Task<PipelineHarness> StartAsync() => PipelineHarness.StartAsync(("http://127.0.0.1:9/never-polled.xml", 0));

    private static async Task<string> Run(PipelineHarness sut, string text, CommandContext? context = null) =>
        (await sut.Services.GetRequiredService<ICommandProcessor>().ExecuteAsync(text, context ?? Private, CancellationToken.None)).Text;

    [Fact]
    public async Task Digest_mode_is_shown_changed_and_refused_to_non_admins()
    {
        await using var sut = await StartAsync();
        await Run(sut, "/subscribe");

        Assert.Contains("sent at once", await Run(sut, "/digest"), StringComparison.Ordinal);
        Assert.Contains("hourly digest", await Run(sut, "/digest hourly"), StringComparison.Ordinal);
        Assert.Contains("hourly digest", await Run(sut, "/digest"), StringComparison.Ordinal);
        Assert.Contains("not a digest mode", await Run(sut, "/digest weekly"), StringComparison.Ordinal);
        Assert.Contains("admin", await Run(sut, "/digest daily", GroupMember), StringComparison.OrdinalIgnoreCase);

        var channel = await sut.Store.GetChannelAsync(Private.Channel, CancellationToken.None);
        var modes = await sut.Services.GetRequiredService<IStoryStore>().GetDigestModesAsync([channel!.Id], CancellationToken.None);
        Assert.Equal(DigestMode.Hourly, modes[channel.Id]);

        Assert.Contains("sent at once", await Run(sut, "/digest off"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Priority_terms_are_marked_listed_and_unmarked()
    {
        await using var sut = await StartAsync();
        await Run(sut, "/subscribe");
        Assert.Contains("Watching \"Strait of Hormuz\"", await Run(sut, "/watch add \"Strait of Hormuz\""), StringComparison.Ordinal);

        Assert.Contains("is a priority term", await Run(sut, "/watch priority strait of hormuz"), StringComparison.Ordinal);
        Assert.Contains("• Strait of Hormuz (priority)", await Run(sut, "/watch list"), StringComparison.Ordinal);
        Assert.Contains("is not on the watchlist", await Run(sut, "/watch priority Hezbollah"), StringComparison.Ordinal);
        Assert.Contains("admin", await Run(sut, "/watch priority x", GroupMember), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("normal term again", await Run(sut, "/watch normal \"Strait of Hormuz\""), StringComparison.Ordinal);
        Assert.DoesNotContain("(priority)", await Run(sut, "/watch list"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actors_are_listed_and_shown_with_aliases_and_notes()
    {
        await using var sut = await StartAsync();

        var list = await Run(sut, "/actors list");
        var byAlias = await Run(sut, "/actors show Ghaani");
        var byName = await Run(sut, "/actors show \"esmail qaani\"");

        Assert.Contains("• Esmail Qaani — Qaani, Ismail Qaani", list, StringComparison.Ordinal);
        Assert.Contains("• Houthis", list, StringComparison.Ordinal);
        Assert.StartsWith("Esmail Qaani\nAliases: Qaani, Ismail Qaani", byAlias, StringComparison.Ordinal);
        Assert.Contains("Notes: Commander of the IRGC Quds Force", byAlias, StringComparison.Ordinal);
        Assert.Equal(byAlias, byName);
        Assert.Contains("No actor is named \"Nobody\"", await Run(sut, "/actors show Nobody"), StringComparison.Ordinal);
        Assert.Contains("Usage:\n/actors list\n/actors show <name>", await Run(sut, "/actors"), StringComparison.Ordinal);
    }
}
