using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Watchlists;
using AlertBot.Storage;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;

namespace AlertBot.Core.Tests.Commands;

/// <summary>
/// The caps that keep one chat from filling the store or making the bot talk at length: the ones not already covered
/// in <see cref="CommandProcessorTests"/> (term length, terms per watchlist, feeds per channel, /test length).
/// </summary>
public sealed class CommandCapsTests
{
    private static readonly ChannelRef Group = new(Platforms.Telegram, "-1001");
    private static readonly CommandContext Admin = new(Group, "Newsroom", "1", UserIsAdmin: true, IsPrivate: false);

    private readonly SqliteAlertStore _store = TestStores.InMemory();

    private CommandProcessor CreateSut(CommandOptions? options = null, WatchlistPresets? presets = null) =>
        TestProcessors.Create(_store, options, presets);

    private async Task<(int Terms, int Feeds)> CountsAsync()
    {
        var channel = (await _store.GetChannelAsync(Group, default))!;
        return ((await _store.ListWatchTermsAsync(channel.Id, default)).Count, (await _store.ListChannelFeedsAsync(channel.Id, default)).Count);
    }

    [Fact]
    public async Task A_preset_larger_than_the_term_cap_is_cut_to_the_cap()
    {
        var big = new WatchlistPresets([new WatchlistPreset("default", Enumerable.Range(1, 30).Select(i => $"term{i}").ToArray())]);
        var sut = CreateSut(new CommandOptions { MaxTermsPerChannel = 5 }, big);

        var reply = await sut.ExecuteAsync("/subscribe", Admin, default);

        Assert.False(reply.IsError, reply.Text);
        Assert.Equal(5, (await CountsAsync()).Terms);
        Assert.DoesNotContain("term6", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribing_again_never_takes_a_chat_over_its_feed_cap()
    {
        var sut = CreateSut(new CommandOptions { MaxFeedsPerChannel = 3 });
        await sut.ExecuteAsync("/subscribe", Admin, default);
        foreach (var feed in await _store.ListChannelFeedsAsync((await _store.GetChannelAsync(Group, default))!.Id, default))
        {
            await sut.ExecuteAsync($"/feeds remove {feed.Id}", Admin, default);
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.False((await sut.ExecuteAsync($"/feeds add https://own{i}.example/rss", Admin, default)).IsError);
        }

        var again = await sut.ExecuteAsync("/subscribe", Admin, default);

        Assert.False(again.IsError, again.Text);
        Assert.Equal(3, (await CountsAsync()).Feeds);
        Assert.Contains("limit", again.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_addresses_longer_than_2048_characters_are_refused_and_not_echoed_whole()
    {
        var sut = CreateSut();
        await sut.ExecuteAsync("/subscribe", Admin, default);
        var url = "https://long.example/" + new string('a', 2048);

        var reply = await sut.ExecuteAsync($"/feeds add {url}", Admin, default);

        Assert.True(reply.IsError);
        Assert.True(reply.Text.Length < 300, reply.Text);
        Assert.Equal(2, (await CountsAsync()).Feeds);
    }

    // By index: a lone surrogate does not survive xunit's serialisation of theory data.
    private static readonly string[] HostileTerms = ["Red\u202ESea", "\u2066Qaani\u2069", "Red\uD800Sea", "Red\uDC00", "Red\u0000Sea"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Terms_with_direction_overrides_broken_characters_or_controls_are_refused(int which)
    {
        var term = HostileTerms[which];
        var sut = CreateSut();
        await sut.ExecuteAsync("/subscribe", Admin, default);

        var reply = await sut.ExecuteAsync($"/watch add \"{term}\"", Admin, default);

        Assert.True(reply.IsError);
        Assert.Equal(3, (await CountsAsync()).Terms);
    }

    [Fact]
    public async Task Persian_terms_with_a_zero_width_non_joiner_are_accepted()
    {
        var sut = CreateSut();
        await sut.ExecuteAsync("/subscribe", Admin, default);

        Assert.False((await sut.ExecuteAsync("/watch add \"انصار\u200Cالله\"", Admin, default)).IsError);
    }

    [Fact]
    public async Task An_unknown_watchlist_name_is_not_echoed_whole()
    {
        var reply = await CreateSut().ExecuteAsync("/subscribe " + new string('x', 50_000), Admin, default);

        Assert.True(reply.IsError);
        Assert.True(reply.Text.Length < 300, $"{reply.Text.Length} characters");
    }

    [Fact]
    public async Task A_dry_run_that_hits_every_term_in_one_long_sentence_stays_one_message()
    {
        var options = new CommandOptions();
        var sut = CreateSut(options);
        await sut.ExecuteAsync("/subscribe", Admin, default);
        for (var i = 0; i < 40; i++)
        {
            await sut.ExecuteAsync($"/watch add word{i}", Admin, default);
        }

        // One sentence (no full stop) of about 4000 characters that names all 43 terms.
        var text = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"word{i} and then some filler text here"))
            + " Qaani Houthis Red Sea";
        text += new string(' ', 0) + string.Concat(Enumerable.Repeat(" more", (options.MaxTestTextLength - text.Length - 10) / 5));

        var reply = await sut.ExecuteAsync("/test " + text, Admin, default);

        Assert.False(reply.IsError, reply.Text);
        Assert.Contains("more.", reply.Text, StringComparison.Ordinal);
        Assert.True(reply.Text.Length < 4096, $"{reply.Text.Length} characters");
    }

    [Fact]
    public async Task Listings_shorten_long_feed_addresses_so_a_full_chat_lists_in_a_few_messages_not_dozens()
    {
        var sut = CreateSut(new CommandOptions { MaxFeedsPerChannel = 50 });
        await sut.ExecuteAsync("/subscribe", Admin, default);
        for (var i = 0; i < 48; i++)
        {
            var reply = await sut.ExecuteAsync($"/feeds add https://feed{i}.example/{new string('p', 1900)}", Admin, default);
            Assert.False(reply.IsError, reply.Text);
            Assert.True(reply.Text.Length < 600, $"{reply.Text.Length} characters");
        }

        var list = await sut.ExecuteAsync("/feeds list", Admin, default);
        var status = await sut.ExecuteAsync("/status", Admin, default);

        Assert.Equal(50, (await CountsAsync()).Feeds);
        Assert.Contains("#", list.Text, StringComparison.Ordinal);
        Assert.True(list.Text.Length < 50 * 400, $"{list.Text.Length} characters");
        Assert.True(status.Text.Length < 50 * 250, $"{status.Text.Length} characters");
    }
}
