using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using AlertBot.Storage.Watchlists;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AlertBot.Storage.Postgres;

/// <summary>
/// <see cref="IAlertStore"/> on PostgreSQL, for several AlertBot instances sharing one database. The sibling of the
/// SQLite store: the same rules in PostgreSQL's dialect, plus what sharing needs: migrations under an advisory lock
/// and an outbox claim lease (see <see cref="ClaimDueAsync"/>). One pooled connection per call.
/// </summary>
public sealed partial class PostgresAlertStore : IAlertStore, IDisposable, IAsyncDisposable
{
    /// <summary>How long a claim on outbox entries holds when the claiming instance stops making progress.</summary>
    public static readonly TimeSpan DefaultClaimLease = TimeSpan.FromMinutes(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresMigrator _migrator;
    private readonly ILogger _logger;
    private readonly TimeSpan _claimLease;

    /// <param name="connectionString">An Npgsql connection string. It may hold a password: it is never logged.</param>
    /// <param name="claimLease">How long an outbox claim holds without progress; <see cref="DefaultClaimLease"/> when null.</param>
    /// <param name="timeProvider">Stamps what the callers give no time for (migration history); the system clock when null.</param>
    /// <param name="logger">Null logs nothing.</param>
    /// <param name="instanceId">Who claims outbox entries; a new unique id when null (tests give two stores their own).</param>
    public PostgresAlertStore(
        string connectionString,
        TimeSpan? claimLease = null,
        TimeProvider? timeProvider = null,
        ILogger<PostgresAlertStore>? logger = null,
        string? instanceId = null)
    {
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _claimLease = claimLease ?? DefaultClaimLease;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_claimLease, TimeSpan.Zero, nameof(claimLease));
        _dataSource = PostgresDataSource.Create(connectionString);
        _migrator = new PostgresMigrator(_dataSource, timeProvider ?? TimeProvider.System, _logger);
        InstanceId = instanceId ?? $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    }

    /// <summary>What this store writes into <c>outbox.claimed_by</c>.</summary>
    public string InstanceId { get; }

    public Task MigrateAsync(CancellationToken cancellationToken) => _migrator.MigrateAsync(cancellationToken);

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
            new { feed.Url, feed.Name, IntervalMs = intervalMs, feed.Backfill, CreatedAt = PostgresTime.ToDb(now) },
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
            new { Id = feedId, Reason = reason, At = PostgresTime.ToDb(at) },
            cancellationToken);

    public Task RecordFeedNotModifiedAsync(long feedId, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE feeds SET last_error = NULL, consecutive_failures = 0, last_polled_at = @At, last_success_at = @At
            WHERE id = @Id
            """,
            new { Id = feedId, At = PostgresTime.ToDb(at) },
            cancellationToken);

    private Task<IReadOnlyList<FeedRecord>> QueryFeedsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<PgFeedRow, FeedRecord>(
            $"SELECT {PgFeedRow.Columns} FROM feeds f {where} ORDER BY f.id", param, r => r.ToRecord(), cancellationToken);

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
            new { channel.Platform, channel.ExternalId, Title = title, CreatedAt = PostgresTime.ToDb(now) },
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
    /// As in the SQLite store: when the new id is already stored as another channel, that channel is folded into this
    /// one (its feeds, terms and queued alerts join this channel, an item this channel already has is dropped) and
    /// deleted. Both channel rows are locked first, in id order, so a concurrent claim or move cannot interleave.
    /// </remarks>
    public Task MoveChannelAsync(long channelId, ChannelRef newRef, CancellationToken cancellationToken)
    {
        StoreArguments.CheckChannelRef(newRef);
        return InTransactionAsync(
            async (connection, transaction) =>
            {
                var ids = new { Id = channelId, newRef.Platform, newRef.ExternalId };
                var locked = (await connection.QueryAsync<long>(Command(
                    """
                    SELECT id FROM channels
                    WHERE id = @Id OR (platform = @Platform AND external_id = @ExternalId)
                    ORDER BY id
                    FOR UPDATE
                    """,
                    ids,
                    cancellationToken,
                    transaction))).ToList();
                if (!locked.Contains(channelId))
                {
                    return false;
                }

                if (locked.Where(id => id != channelId).Cast<long?>().SingleOrDefault() is { } otherId)
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
        QueryRecordsAsync<PgChannelRow, Channel>(
            $"SELECT {PgChannelRow.Columns} FROM channels c {where} ORDER BY c.id", param, r => r.ToRecord(), cancellationToken);

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
            WHERE cf.feed_id = @FeedId AND c.active AND NOT c.paused
            ORDER BY c.id
            """,
            new { FeedId = feedId },
            cancellationToken);

    // ---- Watchlists --------------------------------------------------------------------------------------------

    private const string BumpWatchlistVersion = "UPDATE counters SET value = value + 1 WHERE name = 'watchlist_version'";

    public Task<bool> AddWatchTermAsync(long channelId, string text, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cleaned = WatchTermKey.Clean(text);
        return ChangeTermsAsync(
            """
            INSERT INTO watch_terms (channel_id, text, text_key, created_at) VALUES (@ChannelId, @Text, @Key, @CreatedAt)
            ON CONFLICT (channel_id, text_key) DO NOTHING
            """,
            new { ChannelId = channelId, Text = cleaned, Key = WatchTermKey.For(cleaned), CreatedAt = PostgresTime.ToDb(now) },
            cancellationToken);
    }

    public Task<bool> RemoveWatchTermAsync(long channelId, string text, CancellationToken cancellationToken) =>
        ChangeTermsAsync(
            "DELETE FROM watch_terms WHERE channel_id = @ChannelId AND text_key = @Key",
            new { ChannelId = channelId, Key = WatchTermKey.For(WatchTermKey.Clean(text)) },
            cancellationToken);

    public Task<IReadOnlyList<WatchTerm>> ListWatchTermsAsync(long channelId, CancellationToken cancellationToken) =>
        QueryWatchTermsAsync("WHERE t.channel_id = @ChannelId", new { ChannelId = channelId }, cancellationToken);

    public Task<IReadOnlyList<WatchTerm>> ListAllWatchTermsAsync(CancellationToken cancellationToken) =>
        QueryWatchTermsAsync("", null, cancellationToken);

    public Task<long> GetWatchlistVersionAsync(CancellationToken cancellationToken) =>
        ScalarAsync<long>("SELECT value FROM counters WHERE name = 'watchlist_version'", null, cancellationToken);

    /// <summary>One term change and, only when it changed a row, the version bump, in one transaction.</summary>
    private Task<bool> ChangeTermsAsync(string sql, object param, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                if (await connection.ExecuteAsync(Command(sql, param, cancellationToken, transaction)) == 0)
                {
                    return false;
                }

                await connection.ExecuteAsync(Command(BumpWatchlistVersion, null, cancellationToken, transaction));
                return true;
            },
            cancellationToken);

    private Task<IReadOnlyList<WatchTerm>> QueryWatchTermsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<PgWatchTermRow, WatchTerm>(
            $"SELECT {PgWatchTermRow.Columns} FROM watch_terms t {where} ORDER BY t.channel_id, t.id", param, r => r.ToRecord(), cancellationToken);

    // ---- Small persistent state --------------------------------------------------------------------------------

    public async Task<string?> GetStateAsync(string key, CancellationToken cancellationToken) =>
        (await QueryAsync<string>("SELECT value FROM state WHERE key = @Key", new { Key = key }, cancellationToken)).SingleOrDefault();

    public Task SetStateAsync(string key, string value, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO state (key, value) VALUES (@Key, @Value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            new { Key = key, Value = value },
            cancellationToken);

    // ---- Plumbing ----------------------------------------------------------------------------------------------

    private static CommandDefinition Command(string sql, object? param, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null) =>
        new(sql, param, transaction, cancellationToken: cancellationToken);

    private async Task<int> ExecuteAsync(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Command(sql, param, cancellationToken));
    }

    private async Task<T> ScalarAsync<T>(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.ExecuteScalarAsync<T>(Command(sql, param, cancellationToken)))!;
    }

    private async Task<IReadOnlyList<TRecord>> QueryRecordsAsync<TRow, TRecord>(
        string sql, object? param, Func<TRow, TRecord> toRecord, CancellationToken cancellationToken) =>
        (await QueryAsync<TRow>(sql, param, cancellationToken)).Select(toRecord).ToList();

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<T>(Command(sql, param, cancellationToken))).ToList();
    }

    /// <summary>A READ COMMITTED transaction: each statement sees what committed before it started.</summary>
    private async Task<T> InTransactionAsync<T>(
        Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
