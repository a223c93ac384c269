using AlertBot.Core.Commands;
using AlertBot.Core.Watchlists;
using AlertBot.Storage;
using AlertBot.Testing.Commands;
using AlertBot.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Core.Tests.Commands;

/// <summary>The command processor as the abuse tests build it: the shared actors and presets, two default feeds.</summary>
internal static class TestProcessors
{
    public static CommandProcessor Create(
        DapperAlertStore store,
        CommandOptions? options = null,
        WatchlistPresets? presets = null,
        TimeProvider? time = null,
        RecordingLogger? logs = null) => CommandTestServices.CreateProcessor(
            store,
            CommandProcessorTests.Actors,
            presets ?? CommandProcessorTests.Presets,
            options ?? new CommandOptions(),
            CommandFuzzTests.Polling,
            time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero)),
            logs ?? new RecordingLogger());
}
