using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Storage;

namespace AlertBot.Core.Tests.Commands;

/// <summary>
/// Commands whose arguments arrive typed (Discord's options) run the same handlers, with the same checks, as typed text,
/// and the descriptors are the one place the command set is declared.
/// </summary>
public sealed class TypedCommandTests
{
    private static readonly ChannelRef Private = new(Platforms.Discord, "700");
    private static readonly CommandContext Owner = new(Private, null, "42", UserIsAdmin: false, IsPrivate: true);
    private static readonly CommandContext Member = new(new ChannelRef(Platforms.Discord, "701"), "news", "43", UserIsAdmin: false, IsPrivate: false);

    private readonly SqliteAlertStore _store = TestStores.InMemory();

    private CommandProcessor CreateSut() => TestProcessors.Create(_store);

    private async Task<string[]> TermsAsync()
    {
        var channel = await _store.GetChannelAsync(Private, default);
        return [.. (await _store.ListWatchTermsAsync(channel!.Id, default)).Select(t => t.Text)];
    }

    [Theory]
    [InlineData("\"Red Sea\"", "Red Sea")]
    [InlineData("Bab el-Mandeb", "Bab el-Mandeb")]
    [InlineData("«Strait of Hormuz»", "Strait of Hormuz")]
    [InlineData("Houthi AND \"Red Sea\"", "Houthi AND \"Red Sea\"")]
    public async Task A_typed_term_is_stored_as_the_same_text_would_store_it(string value, string stored)
    {
        var sut = CreateSut();
        await sut.ExecuteAsync(new SubscribeArgs(), Owner, default);
        var typed = await sut.ExecuteAsync(new WatchArgs(WatchAction.Add, value), Owner, default);
        Assert.False(typed.IsError, typed.Text);
        Assert.Contains(stored, await TermsAsync());

        // The same term typed as text is the same term: the second add finds it there.
        var text = await sut.ExecuteAsync($"/watch add {value}", Owner, default);
        Assert.Contains("already", text.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quote_inside_a_typed_term_is_part_of_the_term_not_a_parse_error()
    {
        var sut = CreateSut();
        await sut.ExecuteAsync(new SubscribeArgs(), Owner, default);

        // As text, the quote cannot be told from a phrase quote, so the line is refused; as a typed value it is the term.
        Assert.Contains("A quote must start a phrase", (await sut.ExecuteAsync("/watch add Red\"Sea", Owner, default)).Text, StringComparison.Ordinal);
        var typed = await sut.ExecuteAsync(new WatchArgs(WatchAction.Add, "Red\"Sea"), Owner, default);

        Assert.DoesNotContain("A quote must start a phrase", typed.Text, StringComparison.Ordinal);
        Assert.Equal(!typed.IsError, (await TermsAsync()).Contains("Red\"Sea"));
    }

    [Fact]
    public async Task Typed_arguments_meet_the_same_limits_and_permission_as_text()
    {
        var sut = CreateSut();
        await sut.ExecuteAsync(new SubscribeArgs(), Owner, default);

        var tooLong = await sut.ExecuteAsync(new WatchArgs(WatchAction.Add, new string('x', 201)), Owner, default);
        Assert.True(tooLong.IsError);
        Assert.Contains("the limit is 200", tooLong.Text, StringComparison.Ordinal);

        var refused = await sut.ExecuteAsync(new WatchArgs(WatchAction.Add, "Qaani"), Member, default);
        Assert.True(refused.IsError);
        Assert.Contains("Only an admin of this chat can change the watchlist", refused.Text, StringComparison.Ordinal);

        // Reading needs no right.
        Assert.False((await sut.ExecuteAsync(new WatchArgs(WatchAction.List), Member, default)).IsError);
    }

    [Fact]
    public void Every_command_has_one_descriptor_one_argument_record_and_a_line_in_help()
    {
        Assert.Equal(CommandCatalog.Descriptors.Count, CommandCatalog.Descriptors.Select(d => d.Name).Distinct().Count());
        Assert.Equal(CommandCatalog.Descriptors.Count, CommandCatalog.Descriptors.Select(d => d.ArgsType).Distinct().Count());
        var help = CommandCatalog.HelpText();
        foreach (var descriptor in CommandCatalog.Descriptors)
        {
            Assert.Same(descriptor, CommandCatalog.For((CommandArgs)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(descriptor.ArgsType)));
            Assert.Equal(descriptor.Listed, help.Contains(descriptor.Usage + " — " + descriptor.Description, StringComparison.Ordinal));
            Assert.InRange(descriptor.Description.Length, 1, 256);
            Assert.InRange(descriptor.Summary.Length, 1, 100);
        }
    }
}
