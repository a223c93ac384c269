using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using AlertBot.Storage.Watchlists;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlertBot.Storage.Sqlite;

/// <summary>
/// <see cref="IAlertStore"/> on SQLite. Every SQLite-specific word of AlertBot lives in this folder and in
/// Migrations/Sqlite; a PostgreSQL store is a sibling with its own SQL and scripts, sharing only the provider-neutral
/// pieces (migration catalog, payload JSON, term keys). One pooled connection per call keeps concurrent callers apart.
/// </summary>
public sealed partial class SqliteAlertStore : IAlertStore, IDisposable
{
    private readonly SqliteConnectionFactory _connections;
    private readonly SqliteMigrator _migrator;
    private readonly ILogger _logger;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string; the file's directory is created if missing.</param>
    /// <param name="timeProvider">Stamps what the callers give no time for (migration history); the system clock when null.</param>
    /// <param name="logger">Null logs nothing.</param>
    public SqliteAlertStore(string connectionString, TimeProvider? timeProvider = null, ILogger<SqliteAlertStore>? logger = null)
    {
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _connections = new SqliteConnectionFactory(connectionString);
        _migrator = new SqliteMigrator(_connections, timeProvider ?? TimeProvider.System, _logger);
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => _migrator.MigrateAsync(cancellationToken);

    public void Dispose() => _connections.Dispose();

    // ---- Feeds -------------------------------------------------------------------------------------------------

    public async Task<FeedRecord> UpsertFeedAsync(FeedDefinition feed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var intervalMs = StoreArguments.FeedIntervalMs(feed);
        var id = await ScalarAsync<long>(
            """
            INSERT INTO feeds (url, name, interval_ms, backfill, created_at)
            VALUES (@Url, @Name, @IntervalMs, @Backfill, @CreatedAt)
            ON CONFLICT (url) DO UPDATE SET name = excluded.name, interval_ms = excluded.interval_ms, backfill = excluded.backfill
            RETURNING id
            """,
            new { feed.Url, feed.Name, IntervalMs = intervalMs, feed.Backfill, CreatedAt = SqliteTime.ToText(now) },
            cancellationToken);
        return (await QueryFeedsAsync("WHERE f.id = @Id", new { Id = id }, cancellationToken))[0];
    }

    public async Task<FeedRecord?> GetFeedAsync(long feedId, CancellationToken cancellationToken) =>
        (await QueryFeedsAsync("WHERE f.id = @Id", new { Id = feedId }, cancellationToken)).SingleOrDefault();

    public async Task<FeedRecord?> FindFeedByUrlAsync(string url, CancellationToken cancellationToken) =>
        (await QueryFeedsAsync("WHERE f.url = @Url", new { Url = url }, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<FeedRecord>> ListFeedsAsync(CancellationToken cancellationToken) =>
        QueryFeedsAsync("", null, cancellationToken);

    public Task RecordFeedFailureAsync(long feedId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE feeds SET last_error = @Reason, consecutive_failures = consecutive_failures + 1, last_polled_at = @At
            WHERE id = @Id
            """,
            new { Id = feedId, Reason = reason, At = SqliteTime.ToText(at) },
            cancellationToken);

    public Task RecordFeedNotModifiedAsync(long feedId, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE feeds SET last_error = NULL, consecutive_failures = 0, last_polled_at = @At, last_success_at = @At
            WHERE id = @Id
            """,
            new { Id = feedId, At = SqliteTime.ToText(at) },
            cancellationToken);

    private Task<IReadOnlyList<FeedRecord>> QueryFeedsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<FeedRow, FeedRecord>(
            $"SELECT {FeedRow.Columns} FROM feeds f {where} ORDER BY f.id", param, r => r.ToRecord(), cancellationToken);

    // ---- Channels ----------------------------------------------------------------------------------------------

    public async Task<Channel> EnsureChannelAsync(ChannelRef channel, string? title, DateTimeOffset now, CancellationToken cancellationToken)
    {
        StoreArguments.CheckChannelRef(channel);
        var id = await ScalarAsync<long>(
            """
            INSERT INTO channels (platform, external_id, title, created_at) VALUES (@Platform, @ExternalId, @Title, @CreatedAt)
            ON CONFLICT (platform, external_id) DO UPDATE SET title = coalesce(excluded.title, channels.title)
            RETURNING id
            """,
            new { channel.Platform, channel.ExternalId, Title = title, CreatedAt = SqliteTime.ToText(now) },
            cancellationToken);
        return (await QueryChannelsAsync("WHERE c.id = @Id", new { Id = id }, cancellationToken))[0];
    }

    public async Task<Channel?> GetChannelAsync(ChannelRef channel, CancellationToken cancellationToken) =>
        (await QueryChannelsAsync(
            "WHERE c.platform = @Platform AND c.external_id = @ExternalId",
            new { channel.Platform, channel.ExternalId },
            cancellationToken)).SingleOrDefault();

    public async Task<Channel?> GetChannelByIdAsync(long channelId, CancellationToken cancellationToken) =>
        (await QueryChannelsAsync("WHERE c.id = @Id", new { Id = channelId }, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<Channel>> ListChannelsAsync(CancellationToken cancellationToken) =>
        QueryChannelsAsync("", null, cancellationToken);

    public Task SetChannelActiveAsync(long channelId, bool active, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE channels SET active = @Active WHERE id = @Id", new { Id = channelId, Active = active }, cancellationToken);

    public Task SetChannelPausedAsync(long channelId, bool paused, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE channels SET paused = @Paused WHERE id = @Id", new { Id = channelId, Paused = paused }, cancellationToken);

    /// <remarks>
    /// When the new id is already stored as another channel (someone used the bot in the new chat before the platform
    /// reported the move), that channel is folded into this one: its feeds, terms and queued alerts join this channel
    /// (an item this channel already has is dropped), then it is deleted. Otherwise every later alert would hit the
    /// same conflict, and the user's settings in the old chat would be lost.
    /// </remarks>
    public Task MoveChannelAsync(long channelId, ChannelRef newRef, CancellationToken cancellationToken)
    {
        StoreArguments.CheckChannelRef(newRef);
        return InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                var ids = new { Id = channelId, newRef.Platform, newRef.ExternalId };
                var exists = await connection.ExecuteScalarAsync<long>(Command(
                    "SELECT COUNT(*) FROM channels WHERE id = @Id", ids, cancellationToken, transaction));
                if (exists == 0)
                {
                    return false;
                }

                var other = await connection.ExecuteScalarAsync<long?>(Command(
                    "SELECT id FROM channels WHERE platform = @Platform AND external_id = @ExternalId AND id <> @Id",
                    ids,
                    cancellationToken,
                    transaction));
                if (other is { } otherId)
                {
                    await connection.ExecuteAsync(Command(MergeChannel, new { Id = channelId, Other = otherId }, cancellationToken, transaction));
                    LogChannelMerged(_logger, otherId, channelId, newRef);
                }

                await connection.ExecuteAsync(Command(
                    "UPDATE channels SET platform = @Platform, external_id = @ExternalId WHERE id = @Id", ids, cancellationToken, transaction));
                return true;
            },
            cancellationToken);
    }

    // Folds channel @Other into @Id; the term change bumps the watchlist version because the matcher's owners change.
    private const string MergeChannel = """
        INSERT INTO channel_feeds (channel_id, feed_id) SELECT @Id, feed_id FROM channel_feeds WHERE channel_id = @Other
        ON CONFLICT DO NOTHING;
        INSERT INTO watch_terms (channel_id, text, text_key, created_at)
        SELECT @Id, text, text_key, created_at FROM watch_terms WHERE channel_id = @Other ORDER BY id
        ON CONFLICT DO NOTHING;
        UPDATE counters SET value = value + 1
        WHERE name = 'watchlist_version' AND EXISTS (SELECT 1 FROM watch_terms WHERE channel_id = @Other);
        UPDATE outbox SET channel_id = @Id
        WHERE channel_id = @Other AND item_key NOT IN (SELECT item_key FROM outbox WHERE channel_id = @Id);
        UPDATE channels SET title = coalesce(title, (SELECT title FROM channels WHERE id = @Other)) WHERE id = @Id;
        DELETE FROM channels WHERE id = @Other;
        """;

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {OtherId} already held {NewRef}; folded into channel {ChannelId} as it moved there")]
    private static partial void LogChannelMerged(ILogger logger, long otherId, long channelId, ChannelRef newRef);

    private Task<IReadOnlyList<Channel>> QueryChannelsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<ChannelRow, Channel>(
            $"SELECT {ChannelRow.Columns} FROM channels c {where} ORDER BY c.id", param, r => r.ToRecord(), cancellationToken);

    // ---- Which channel reads which feed ------------------------------------------------------------------------

    public async Task<bool> AttachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            "INSERT INTO channel_feeds (channel_id, feed_id) VALUES (@ChannelId, @FeedId) ON CONFLICT DO NOTHING",
            new { ChannelId = channelId, FeedId = feedId },
            cancellationToken) > 0;

    public async Task<bool> DetachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            "DELETE FROM channel_feeds WHERE channel_id = @ChannelId AND feed_id = @FeedId",
            new { ChannelId = channelId, FeedId = feedId },
            cancellationToken) > 0;

    public Task<IReadOnlyList<FeedRecord>> ListChannelFeedsAsync(long channelId, CancellationToken cancellationToken) =>
        QueryFeedsAsync(
            "WHERE f.id IN (SELECT feed_id FROM channel_feeds WHERE channel_id = @ChannelId)",
            new { ChannelId = channelId },
            cancellationToken);

    public Task<IReadOnlyList<long>> ListDeliverableSubscribersAsync(long feedId, CancellationToken cancellationToken) =>
        QueryAsync<long>(
            """
            SELECT c.id FROM channel_feeds cf JOIN channels c ON c.id = cf.channel_id
            WHERE cf.feed_id = @FeedId AND c.active = 1 AND c.paused = 0
            ORDER BY c.id
            """,
            new { FeedId = feedId },
            cancellationToken);

    // ---- Watchlists --------------------------------------------------------------------------------------------

    private const string BumpWatchlistVersion = "UPDATE counters SET value = value + 1 WHERE name = 'watchlist_version'";

    public Task<bool> AddWatchTermAsync(long channelId, string text, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cleaned = WatchTermKey.Clean(text);
        return InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                var added = await connection.ExecuteAsync(Command(
                    """
                    INSERT INTO watch_terms (channel_id, text, text_key, created_at) VALUES (@ChannelId, @Text, @Key, @CreatedAt)
                    ON CONFLICT (channel_id, text_key) DO NOTHING
                    """,
                    new { ChannelId = channelId, Text = cleaned, Key = WatchTermKey.For(cleaned), CreatedAt = SqliteTime.ToText(now) },
                    cancellationToken,
                    transaction));
                return added > 0 && await BumpAsync(connection, transaction, cancellationToken);
            },
            cancellationToken);
    }

    public Task<bool> RemoveWatchTermAsync(long channelId, string text, CancellationToken cancellationToken)
    {
        var key = WatchTermKey.For(WatchTermKey.Clean(text));
        return InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                var removed = await connection.ExecuteAsync(Command(
                    "DELETE FROM watch_terms WHERE channel_id = @ChannelId AND text_key = @Key",
                    new { ChannelId = channelId, Key = key },
                    cancellationToken,
                    transaction));
                return removed > 0 && await BumpAsync(connection, transaction, cancellationToken);
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<WatchTerm>> ListWatchTermsAsync(long channelId, CancellationToken cancellationToken) =>
        QueryWatchTermsAsync("WHERE t.channel_id = @ChannelId", new { ChannelId = channelId }, cancellationToken);

    public Task<IReadOnlyList<WatchTerm>> ListAllWatchTermsAsync(CancellationToken cancellationToken) =>
        QueryWatchTermsAsync("", null, cancellationToken);

    public Task<long> GetWatchlistVersionAsync(CancellationToken cancellationToken) =>
        ScalarAsync<long>("SELECT value FROM counters WHERE name = 'watchlist_version'", null, cancellationToken);

    private static async Task<bool> BumpAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(Command(BumpWatchlistVersion, null, cancellationToken, transaction));
        return true;
    }

    private Task<IReadOnlyList<WatchTerm>> QueryWatchTermsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<WatchTermRow, WatchTerm>(
            $"SELECT {WatchTermRow.Columns} FROM watch_terms t {where} ORDER BY t.channel_id, t.id", param, r => r.ToRecord(), cancellationToken);

    // ---- Small persistent state --------------------------------------------------------------------------------

    public async Task<string?> GetStateAsync(string key, CancellationToken cancellationToken) =>
        (await QueryAsync<string>("SELECT value FROM state WHERE key = @Key", new { Key = key }, cancellationToken)).SingleOrDefault();

    public Task SetStateAsync(string key, string value, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO state (key, value) VALUES (@Key, @Value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            new { Key = key, Value = value },
            cancellationToken);

    // ---- Plumbing ----------------------------------------------------------------------------------------------

    private static CommandDefinition Command(string sql, object? param, CancellationToken cancellationToken, SqliteTransaction? transaction = null) =>
        new(sql, param, transaction, cancellationToken: cancellationToken);

    private async Task<int> ExecuteAsync(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(Command(sql, param, cancellationToken));
    }

    private async Task<T> ScalarAsync<T>(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        return (await connection.ExecuteScalarAsync<T>(Command(sql, param, cancellationToken)))!;
    }

    private async Task<IReadOnlyList<TRecord>> QueryRecordsAsync<TRow, TRecord>(
        string sql, object? param, Func<TRow, TRecord> toRecord, CancellationToken cancellationToken) =>
        (await QueryAsync<TRow>(sql, param, cancellationToken)).Select(toRecord).ToList();

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<T>(Command(sql, param, cancellationToken))).ToList();
    }

    /// <summary>
    /// A write transaction that takes SQLite's write lock at BEGIN (IMMEDIATE), so it waits its turn under
    /// busy_timeout instead of failing when a read inside it would have to be upgraded to a write.
    /// </summary>
    private async Task<T> InWriteTransactionAsync<T>(
        Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
