using AlertBot.Core.Commands;
using AlertBot.Core.Pipeline;
using AlertBot.Storage;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Commands;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;
using Microsoft.Extensions.Logging;

namespace AlertBot.Core.Tests.Commands;

/// <summary>10,000 hostile command lines through the parser and the processor, against the in-memory store.</summary>
public sealed class CommandFuzzTests
{
    // Small caps so the fuzz runs into them again and again.
    internal static readonly CommandOptions Options = new() { MaxTermLength = 60, MaxTermsPerChannel = 12, MaxFeedsPerChannel = 4 };

    internal static PollingOptions Polling { get; } = new()
    {
        DefaultInterval = TimeSpan.FromMinutes(5),
        Feeds =
        [
            new ConfiguredFeed { Url = "https://news.example/world.rss", Name = "World" },
            new ConfiguredFeed { Url = "https://wire.example/feed" },
        ],
    };

    [Theory]
    [InlineData(20261127)]
    [InlineData(7)]
    public async Task Hostile_input_never_throws_always_gets_a_bounded_reply_and_keeps_the_store_within_its_caps(int seed)
    {
        using var store = TestStores.InMemory();
        var logs = new RecordingLogger();
        var processor = TestProcessors.Create(store, Options, logs: logs);

        await new CommandFuzz(seed).RunAsync(processor, store, Options, count: 5_000);

        // "Internal error" replies are caught exceptions: the fuzz must not cause any.
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.NotEmpty(await store.ListChannelsAsync(default));
        Assert.Contains(await store.ListChannelsAsync(default), c => store.ListWatchTermsAsync(c.Id, default).Result.Count == Options.MaxTermsPerChannel);
    }
}
