using AlertBot.Core.Channels;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Summaries;
using AlertBot.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Storage.Tests;

/// <summary>A real SQLite file in its own temporary folder, deleted with everything in it afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly List<SqliteAlertStore> _stores = [];

    public TempDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "alertbot-storage-tests", Guid.NewGuid().ToString("N"));
        FilePath = Path.Combine(Folder, "nested", "alertbot.db");
    }

    public string Folder { get; }

    public string FilePath { get; }

    public string ConnectionString => $"Data Source={FilePath}";

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 26, 9, 30, 0, TimeSpan.Zero));

    /// <summary>A store on this file, not yet migrated; disposed with the database.</summary>
    public SqliteAlertStore NewStore()
    {
        var store = new SqliteAlertStore(ConnectionString, Time);
        _stores.Add(store);
        return store;
    }

    /// <summary>A store on this file with the schema in place.</summary>
    public async Task<SqliteAlertStore> NewMigratedStoreAsync()
    {
        var store = NewStore();
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    /// <summary>Straight SQL against the file, for what the store port does not show.</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        return (await connection.QueryAsync<T>(sql, param)).ToList();
    }

    public async Task ExecuteAsync(string sql, object? param = null)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync(sql, param);
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}

/// <summary>Ready-made records for store tests.</summary>
public static class Samples
{
    public static readonly ChannelRef Telegram = new(Platforms.Telegram, "-1001234567890");
    public static readonly ChannelRef Discord = new(Platforms.Discord, "112233445566778899");

    public static FeedDefinition Feed(string name = "the-national") =>
        new($"https://example.test/{name}/rss.xml", name, TimeSpan.FromMinutes(5));

    public static AlertMessage Message(string title = "Qaani visits Baghdad") => new()
    {
        Title = title,
        Link = "https://example.test/news/qaani-iraq?x=1&y=\"2\"",
        Source = "The National",
        PublishedAt = new DateTimeOffset(2025, 3, 26, 14, 5, 30, 123, TimeSpan.FromHours(4)).AddTicks(4567),
        Sentences =
        [
            "Esmail Qaani, head of the IRGC's Quds Force, arrived in Baghdad on \"Wednesday\".",
            "قاآني التقى قادة الفصائل — 会谈 🚨",
        ],
        Matches =
        [
            new MatchExplanation("Qaani", "Qa'ani", MatchField.Title, "Qa'ani \\ visits"),
            new MatchExplanation("Houthis", "Ansar Allah", MatchField.Body, "Ansar Allah said\n\"no\"."),
        ],
    };

    public static async Task<(SqliteAlertStore Store, long FeedId, long ChannelId)> FeedAndChannelAsync(TempDatabase db)
    {
        var store = await db.NewMigratedStoreAsync();
        var now = db.Time.GetUtcNow();
        var feed = await store.UpsertFeedAsync(Feed(), now, CancellationToken.None);
        var channel = await store.EnsureChannelAsync(Telegram, "Iraq desk", now, CancellationToken.None);
        await store.AttachFeedAsync(channel.Id, feed.Id, CancellationToken.None);
        return (store, feed.Id, channel.Id);
    }
}
