using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using AlertBot.Testing.Fakes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Core.Tests.Commands;

/// <summary>The command processor as the abuse tests build it: the shared actors and presets, two default feeds.</summary>
internal static class TestProcessors
{
    public static CommandProcessor Create(
        IAlertStore store,
        CommandOptions? options = null,
        WatchlistPresets? presets = null,
        TimeProvider? time = null,
        RecordingLogger? logs = null) => new(
            store,
            CommandProcessorTests.Actors,
            presets ?? CommandProcessorTests.Presets,
            Options.Create(options ?? new CommandOptions()),
            Options.Create(CommandFuzzTests.Polling),
            time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero)),
            new RecordingLogger<CommandProcessor>(logs ?? new RecordingLogger()));
}
