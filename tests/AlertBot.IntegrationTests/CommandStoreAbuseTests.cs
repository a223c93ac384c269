using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Summaries;
using AlertBot.Core.Watchlists;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Commands;
using AlertBot.Testing.Fakes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.IntegrationTests;

/// <summary>
/// Commands against the real SQLite store in a temporary file: hostile input leaves the store within its caps and the
/// schema intact, and the same digits on Telegram and Discord are two channels that share nothing.
/// </summary>
public sealed class CommandStoreAbuseTests : IDisposable
{
    private const string SameDigits = "123456789012345678";
    private const string DefaultFeed = "https://news.example/world.rss";

    private static readonly CommandContext Telegram = new(new ChannelRef(Platforms.Telegram, SameDigits), null, SameDigits, UserIsAdmin: false, IsPrivate: true);
    private static readonly CommandContext Discord = new(new ChannelRef(Platforms.Discord, SameDigits), "alerts", SameDigits, UserIsAdmin: true, IsPrivate: false);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "alertbot-abuse-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteAlertStore _store;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly RecordingLogger _logs = new();

    public CommandStoreAbuseTests()
    {
        Directory.CreateDirectory(_directory);
        ConnectionString = $"Data Source={Path.Combine(_directory, "alertbot.db")}";
        _store = new SqliteAlertStore(ConnectionString, _time);
    }

    private string ConnectionString { get; }

    public void Dispose()
    {
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private CommandProcessor CreateSut(CommandOptions options) => CommandTestServices.CreateProcessor(
        _store,
        new ActorDictionary([new Actor("Qaani", ["Qaani", "Ghaani", "Qa'ani"]), new Actor("Houthis", ["Houthis", "Huthi", "Ansar Allah"])]),
        new WatchlistPresets([new WatchlistPreset("default", ["Qaani", "Houthis", "Red Sea"])]),
        options,
        new PollingOptions { DefaultInterval = TimeSpan.FromMinutes(5), Feeds = [new ConfiguredFeed { Url = DefaultFeed, Name = "World" }] },
        _time,
        _logs);

    [Fact]
    public async Task Hostile_input_leaves_the_sqlite_store_within_its_caps_and_its_schema_intact()
    {
        await _store.MigrateAsync(default);
        var options = new CommandOptions { MaxTermLength = 60, MaxTermsPerChannel = 12, MaxFeedsPerChannel = 4 };
        var tablesBefore = await TablesAsync();

        await new CommandFuzz(4242).RunAsync(CreateSut(options), _store, options, count: 10_000);

        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Equal(tablesBefore, await TablesAsync());
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_same_digits_on_Telegram_and_Discord_are_two_channels_with_separate_terms_feeds_and_outbox()
    {
        await _store.MigrateAsync(default);
        var sut = CreateSut(new CommandOptions());
        async Task<CommandReply> Run(string text, CommandContext context) => await sut.ExecuteAsync(text, context, default);

        Assert.False((await Run("/subscribe", Telegram)).IsError);
        Assert.False((await Run("/subscribe", Discord)).IsError);
        await Run("/watch add Hezbollah", Telegram);
        await Run("/watch add Hamas", Discord);
        await Run("/watch remove Qaani", Discord);
        await Run("/feeds add https://tg-only.example/rss", Telegram);
        await Run("/feeds add https://dc-only.example/rss", Discord);

        var tg = (await _store.GetChannelAsync(Telegram.Channel, default))!;
        var dc = (await _store.GetChannelAsync(Discord.Channel, default))!;
        Assert.NotEqual(tg.Id, dc.Id);
        Assert.Equal(["Qaani", "Houthis", "Red Sea", "Hezbollah"], (await _store.ListWatchTermsAsync(tg.Id, default)).Select(t => t.Text));
        Assert.Equal(["Houthis", "Red Sea", "Hamas"], (await _store.ListWatchTermsAsync(dc.Id, default)).Select(t => t.Text));
        Assert.Equal([DefaultFeed, "https://tg-only.example/rss"], (await _store.ListChannelFeedsAsync(tg.Id, default)).Select(f => f.Url));
        Assert.Equal([DefaultFeed, "https://dc-only.example/rss"], (await _store.ListChannelFeedsAsync(dc.Id, default)).Select(f => f.Url));

        // One item for both: two outbox rows, each addressed to its own platform.
        var message = new AlertMessage { Title = "Qaani in Baghdad", Source = "World" };
        Assert.Equal(2, await _store.EnqueueAsync([new NewAlert(tg.Id, "url:x", message), new NewAlert(dc.Id, "url:x", message)], _time.GetUtcNow(), default));
        var due = await _store.ClaimDueAsync(_time.GetUtcNow().AddMinutes(1), 10, default);
        Assert.Equal(
            [(tg.Id, Telegram.Channel), (dc.Id, Discord.Channel)],
            due.Select(e => (e.ChannelId, e.Channel)).OrderBy(e => e.ChannelId));
        Assert.Equal(1, (await _store.GetOutboxStatsAsync(tg.Id, default)).Pending);
        Assert.Equal(1, (await _store.GetOutboxStatsAsync(dc.Id, default)).Pending);

        // Changes on one platform leave the other alone, even with the other's feed id.
        var dcOnly = (await _store.FindFeedByUrlAsync("https://dc-only.example/rss", default))!.Id;
        Assert.True((await Run($"/feeds remove {dcOnly}", Telegram)).IsError);
        await Run("/watch remove Houthis", Telegram);
        await Run("/unsubscribe", Telegram);
        Assert.Contains("https://dc-only.example/rss", (await _store.ListChannelFeedsAsync(dc.Id, default)).Select(f => f.Url));
        Assert.Contains("Houthis", (await _store.ListWatchTermsAsync(dc.Id, default)).Select(t => t.Text));
        Assert.True((await _store.GetChannelAsync(Discord.Channel, default))!.Active);
        Assert.False((await _store.GetChannelAsync(Telegram.Channel, default))!.Active);
        Assert.DoesNotContain("Hezbollah", (await Run("/watch list", Discord)).Text, StringComparison.Ordinal);
        Assert.Contains("Alerts queued: 1", (await Run("/status", Discord)).Text, StringComparison.Ordinal);
    }

    private async Task<string[]> TablesAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger') ORDER BY name";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names.ToArray();
    }
}
