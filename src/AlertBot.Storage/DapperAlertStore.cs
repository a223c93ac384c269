using System.Data.Common;
using System.Text.Json;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Retention;
using AlertBot.Core.Watchlists;
using AlertBot.Storage.Watchlists;
using Dapper;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage;

/// <summary>
/// The part of an <see cref="IAlertStore"/> that is the same SQL on SQLite and PostgreSQL: feeds, channels,
/// subscriptions, watch terms and state, plus the plumbing (one pooled connection per call, write transactions).
/// Each provider (a sibling folder) supplies its connections, its timestamp format, its row types, its migrations and
/// the outbox, where the dialects and the concurrency models really differ.
/// </summary>
public abstract partial class DapperAlertStore : IAlertStore, IRetentionStore
{
    /// <summary>
    /// A seen item's "last listed" time is rewritten only when it is older than this: a feed polled every few minutes
    /// rewrites each of its items about once an hour, not on every poll. Retention's margin follows from it.
    /// </summary>
    private protected static readonly TimeSpan SeenRefresh = TimeSpan.FromHours(1);

    /// <summary>Rows deleted per retention transaction.</summary>
    private const int PruneBatch = 2000;

    private readonly ILogger _logger;

    private protected DapperAlertStore(ILogger logger) => _logger = logger;

    // ---- What each provider supplies ---------------------------------------------------------------------------

    public abstract Task MigrateAsync(CancellationToken cancellationToken);

    private protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A transaction for a read-then-write unit, begun so that it cannot fail half-way for lock reasons.</summary>
    private protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>A timestamp as the provider's parameters carry it.</summary>
    private protected abstract object ToDb(DateTimeOffset value);

    /// <summary>What MoveChannelAsync appends to its SELECT of the two channel rows to lock them ("" where the transaction already excludes everyone).</summary>
    private protected virtual string LockRows => "";

    /// <summary>What a SET clause that ends an attempt appends to give up the row's claim ("" where rows are not claimed).</summary>
    private protected virtual string ReleaseClaim => "";

    public abstract Task<IReadOnlySet<string>> FindSeenAsync(long feedId, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken);

    public abstract Task<PollCommitResult> CommitPollAsync(PollCommit commit, CancellationToken cancellationToken);

    public abstract Task<int> EnqueueAsync(IReadOnlyList<NewAlert> alerts, DateTimeOffset at, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<OutboxEntry>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    public abstract Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? platformMessageId, CancellationToken cancellationToken);

    public abstract Task MarkAttemptFailedAsync(long outboxId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    public abstract Task<int> MarkChannelUndeliverableAsync(long channelId, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    public abstract Task<OutboxStats> GetOutboxStatsAsync(long? channelId, CancellationToken cancellationToken);

    // ---- Feeds -------------------------------------------------------------------------------------------------

    private static readonly TimeSpan FollowsDefaultPlaceholder = TimeSpan.FromMinutes(5);

    public async Task<FeedRecord> UpsertFeedAsync(FeedDefinition feed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(feed.Url);
        ArgumentNullException.ThrowIfNull(feed.Name);
        // A feed without an interval of its own follows the configured default; the column keeps a positive placeholder.
        var intervalMs = (long)(feed.Interval ?? FollowsDefaultPlaceholder).TotalMilliseconds;
        if (intervalMs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(feed), feed.Interval, $"Feed '{feed.Url}' needs a positive polling interval.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(feed.Backfill);

        var id = await ScalarAsync<long>(
            """
            INSERT INTO feeds (url, name, interval_ms, interval_explicit, backfill, created_at)
            VALUES (@Url, @Name, @IntervalMs, @Explicit, @Backfill, @CreatedAt)
            ON CONFLICT (url) DO UPDATE SET name = excluded.name, interval_ms = excluded.interval_ms,
                interval_explicit = excluded.interval_explicit, backfill = excluded.backfill
            RETURNING id
            """,
            new { feed.Url, feed.Name, IntervalMs = intervalMs, Explicit = feed.Interval is not null, feed.Backfill, CreatedAt = ToDb(now) },
            cancellationToken);
        return (await QueryFeedsAsync("WHERE f.id = @Id", new { Id = id }, cancellationToken))[0];
    }

    public async Task<bool> DeleteFeedAsync(long feedId, CancellationToken cancellationToken) =>
        await ExecuteAsync("DELETE FROM feeds WHERE id = @Id", new { Id = feedId }, cancellationToken) > 0;

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
            new { Id = feedId, Reason = reason, At = ToDb(at) },
            cancellationToken);

    public Task RecordFeedNotModifiedAsync(long feedId, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE feeds SET last_error = NULL, consecutive_failures = 0, last_polled_at = @At, last_success_at = @At
            WHERE id = @Id
            """,
            new { Id = feedId, At = ToDb(at) },
            cancellationToken);

    private Task<IReadOnlyList<FeedRecord>> QueryFeedsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<FeedRow, FeedRecord>(
            $"SELECT {FeedRow.Columns} FROM feeds f {where} ORDER BY f.id", param, r => r.ToRecord(), cancellationToken);

    /// <summary>The end of a committed poll, inside its transaction: new validators, no error, baseline done.</summary>
    /// <exception cref="KeyNotFoundException">The feed does not exist; the caller's transaction must not commit.</exception>
    private protected async Task RecordPollCommittedAsync(
        DbConnection connection, DbTransaction transaction, PollCommit commit, CancellationToken cancellationToken)
    {
        // The floor moves only when the commit says what the document listed (see SeenFloor).
        var floor = commit.ListedKeys is null ? "seen_floor" : "@Floor";
        var feeds = await connection.ExecuteAsync(Command(
            $"""
            UPDATE feeds SET etag = @ETag, last_modified = @LastModified, last_error = NULL, consecutive_failures = 0,
                baseline_done = @Done, last_success_at = @At, last_polled_at = @At, seen_floor = {floor}
            WHERE id = @FeedId
            """,
            new { commit.FeedId, commit.Validators.ETag, commit.Validators.LastModified, At = ToDb(commit.At), Done = true, Floor = ToDb(SeenFloor(commit.At)) },
            cancellationToken,
            transaction));
        if (feeds == 0)
        {
            throw new KeyNotFoundException($"Feed {commit.FeedId} does not exist; the poll was not committed.");
        }

        await RecordTermHitsAsync(connection, transaction, commit, cancellationToken);
    }

    /// <summary>
    /// After a commit at <paramref name="at"/> that refreshed every listed item last seen before this, each listed item
    /// was last seen at or after it; an item below it was not listed.
    /// </summary>
    private protected static DateTimeOffset SeenFloor(DateTimeOffset at) => at - SeenRefresh;

    // ---- Retention ---------------------------------------------------------------------------------------------

    public async Task<PruneResult> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var param = new { OlderThan = ToDb(olderThan), Batch = PruneBatch };

        // A seen item goes only when it is old and below its feed's floor: not in the feed's last document.
        var seen = await PruneInBatchesAsync(
            """
            DELETE FROM seen_items WHERE (feed_id, item_key) IN (
                SELECT s.feed_id, s.item_key FROM seen_items s JOIN feeds f ON f.id = s.feed_id
                WHERE s.last_seen_at < @OlderThan AND f.seen_floor IS NOT NULL AND s.last_seen_at < f.seen_floor
                LIMIT @Batch)
            """,
            param,
            cancellationToken);

        // An alert a pending update still edits stays until the update is done.
        var outbox = await PruneInBatchesAsync(
            """
            DELETE FROM outbox WHERE id IN (
                SELECT o.id FROM outbox o
                WHERE ((o.status = 'delivered' AND o.delivered_at < @OlderThan) OR (o.status = 'undeliverable' AND o.closed_at < @OlderThan))
                  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.ref_id = o.id AND p.status = 'pending')
                LIMIT @Batch)
            """,
            param,
            cancellationToken);
        return new PruneResult(seen, outbox);
    }

    private async Task<int> PruneInBatchesAsync(string sql, object param, CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await InWriteTransactionAsync(
                (connection, transaction) => connection.ExecuteAsync(Command(sql, param, cancellationToken, transaction)), cancellationToken);
            total += deleted;
        }
        while (deleted == PruneBatch);

        return total;
    }

    // ---- Channels ----------------------------------------------------------------------------------------------

    public async Task<Channel> EnsureChannelAsync(ChannelRef channel, string? title, DateTimeOffset now, CancellationToken cancellationToken)
    {
        CheckRef(channel);
        var id = await ScalarAsync<long>(
            """
            INSERT INTO channels (platform, external_id, title, created_at) VALUES (@Platform, @ExternalId, @Title, @CreatedAt)
            ON CONFLICT (platform, external_id) DO UPDATE SET title = coalesce(excluded.title, channels.title)
            RETURNING id
            """,
            new { channel.Platform, channel.ExternalId, Title = title, CreatedAt = ToDb(now) },
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
    /// same conflict, and the user's settings in the old chat would be lost. Both rows are read (and, where the
    /// database needs it, locked) first, so a concurrent claim or move cannot interleave.
    /// </remarks>
    public Task MoveChannelAsync(long channelId, ChannelRef newRef, CancellationToken cancellationToken)
    {
        CheckRef(newRef);
        return InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                var ids = new { Id = channelId, newRef.Platform, newRef.ExternalId };
                var rows = (await connection.QueryAsync<long>(Command(
                    $"""
                    SELECT id FROM channels
                    WHERE id = @Id OR (platform = @Platform AND external_id = @ExternalId)
                    ORDER BY id
                    {LockRows}
                    """,
                    ids,
                    cancellationToken,
                    transaction))).ToList();
                if (!rows.Contains(channelId))
                {
                    return false;
                }

                if (rows.Where(id => id != channelId).Cast<long?>().SingleOrDefault() is { } otherId)
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
    // The moving channel's own settings (digest mode, pause, its terms' priority) win; terms only @Other had keep theirs.
    private const string MergeChannel = """
        INSERT INTO channel_feeds (channel_id, feed_id) SELECT @Id, feed_id FROM channel_feeds WHERE channel_id = @Other
        ON CONFLICT DO NOTHING;
        INSERT INTO watch_terms (channel_id, text, text_key, created_at, priority)
        SELECT @Id, text, text_key, created_at, priority FROM watch_terms WHERE channel_id = @Other ORDER BY id
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

    private static void CheckRef(ChannelRef channel)
    {
        if (string.IsNullOrWhiteSpace(channel.Platform) || string.IsNullOrWhiteSpace(channel.ExternalId))
        {
            throw new ArgumentException($"A channel needs a platform and an id (got '{channel}').", nameof(channel));
        }
    }

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

    // The flags read as booleans on both databases (SQLite's are 0/1 integers).
    public Task<IReadOnlyList<long>> ListDeliverableSubscribersAsync(long feedId, CancellationToken cancellationToken) =>
        QueryAsync<long>(
            """
            SELECT c.id FROM channel_feeds cf JOIN channels c ON c.id = cf.channel_id
            WHERE cf.feed_id = @FeedId AND c.active AND NOT c.paused AND cf.paused_at IS NULL
            ORDER BY c.id
            """,
            new { FeedId = feedId },
            cancellationToken);

    // ---- Watchlists --------------------------------------------------------------------------------------------

    public Task<bool> AddWatchTermAsync(long channelId, string text, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cleaned = WatchTermKey.Clean(text);
        return ChangeTermsAsync(
            """
            INSERT INTO watch_terms (channel_id, text, text_key, created_at) VALUES (@ChannelId, @Text, @Key, @CreatedAt)
            ON CONFLICT (channel_id, text_key) DO NOTHING
            """,
            new { ChannelId = channelId, Text = cleaned, Key = WatchTermKey.For(cleaned), CreatedAt = ToDb(now) },
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
        InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                if (await connection.ExecuteAsync(Command(sql, param, cancellationToken, transaction)) == 0)
                {
                    return false;
                }

                await connection.ExecuteAsync(Command(
                    "UPDATE counters SET value = value + 1 WHERE name = 'watchlist_version'", null, cancellationToken, transaction));
                return true;
            },
            cancellationToken);

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

    // ---- The outbox's provider-neutral half --------------------------------------------------------------------

    /// <summary>
    /// Claimed rows as entries. A payload nobody can read would block its channel's queue for ever, so its row is
    /// closed as undeliverable (where it can be seen) instead of being returned.
    /// </summary>
    private protected async Task<IReadOnlyList<OutboxEntry>> ToEntriesAsync(
        IReadOnlyList<OutboxRow> rows,
        string closeUnreadable,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var entries = new List<OutboxEntry>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                entries.Add(row.ToRecord());
            }
            catch (JsonException ex)
            {
                LogUnreadablePayload(_logger, row.Id, row.ChannelId, ex);
                await ExecuteAsync(
                    closeUnreadable,
                    new { row.Id, Error = "Unreadable payload: " + ex.Message, At = ToDb(now) },
                    cancellationToken);
            }
        }

        return entries;
    }

    // A parked row is closed like an undeliverable one (so no claim, count or index of pending rows sees it) and marked
    // by parked_at (migration 0003), which is what sets it apart from the rows of a gone channel: it can be re-queued.
    public async Task<bool> ParkAsync(long outboxId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"""
            UPDATE outbox SET status = 'undeliverable', attempts = attempts + 1, last_error = @Reason, closed_at = @At, parked_at = @At{ReleaseClaim}
            WHERE id = @Id AND status = 'pending'
            """,
            new { Id = outboxId, Reason = reason, At = ToDb(at) },
            cancellationToken) > 0;

    public Task<IReadOnlyList<ParkedAlert>> ListParkedAsync(CancellationToken cancellationToken) =>
        QueryRecordsAsync<ParkedRow, ParkedAlert>(
            $"""
            SELECT {ParkedRow.Columns}
            FROM outbox o JOIN channels c ON c.id = o.channel_id
            WHERE o.status = 'undeliverable' AND o.parked_at IS NOT NULL
            ORDER BY o.parked_at, o.id
            """,
            null,
            r => r.ToRecord(),
            cancellationToken);

    public Task<int> RequeueParkedAsync(long? outboxId, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteAsync(
            $"""
            UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = @Now, closed_at = NULL, parked_at = NULL{ReleaseClaim}
            WHERE status = 'undeliverable' AND parked_at IS NOT NULL{(outboxId is null ? "" : " AND id = @Id")}
            """,
            new { Id = outboxId ?? 0, Now = ToDb(now) },
            cancellationToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox entry {OutboxId} of channel {ChannelId} has an unreadable payload; closed as undeliverable")]
    private static partial void LogUnreadablePayload(ILogger logger, long outboxId, long channelId, Exception exception);

    // ---- Plumbing ----------------------------------------------------------------------------------------------

    private protected static CommandDefinition Command(string sql, object? param, CancellationToken cancellationToken, DbTransaction? transaction = null) =>
        new(sql, param, transaction, cancellationToken: cancellationToken);

    private protected async Task<int> ExecuteAsync(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(Command(sql, param, cancellationToken));
    }

    private protected async Task<T> ScalarAsync<T>(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.ExecuteScalarAsync<T>(Command(sql, param, cancellationToken)))!;
    }

    private protected async Task<IReadOnlyList<TRecord>> QueryRecordsAsync<TRow, TRecord>(
        string sql, object? param, Func<TRow, TRecord> toRecord, CancellationToken cancellationToken) =>
        (await QueryAsync<TRow>(sql, param, cancellationToken)).Select(toRecord).ToList();

    private protected async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync<T>(Command(sql, param, cancellationToken))).ToList();
    }

    private protected async Task<T> InWriteTransactionAsync<T>(
        Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
