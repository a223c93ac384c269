using System.Text.Json;
using AlertBot.Core.Alerts;
using AlertBot.Core.Persistence;
using AlertBot.Storage.Outbox;
using Dapper;

namespace AlertBot.Storage.Sqlite;

public sealed partial class SqliteAlertStore
{
    // ---- Items and the outbox ----------------------------------------------------------------------------------

    public override async Task<IReadOnlySet<string>> FindSeenAsync(long feedId, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken)
    {
        if (itemKeys.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        // One JSON array parameter instead of one parameter per key: no limit on how many keys a feed page has.
        var seen = await QueryAsync<string>(
            "SELECT item_key FROM seen_items WHERE feed_id = @FeedId AND item_key IN (SELECT value FROM json_each(@Keys))",
            new { FeedId = feedId, Keys = JsonSerializer.Serialize(itemKeys) },
            cancellationToken);
        return seen.ToHashSet(StringComparer.Ordinal);
    }

    public override Task<PollCommitResult> CommitPollAsync(PollCommit commit, CancellationToken cancellationToken)
    {
        var at = SqliteTime.ToText(commit.At);

        // Serialised before the transaction opens, so the write lock is held for SQL only.
        var alerts = OutboxRows(commit.Alerts, at);
        var updates = commit.Updates.Select(u => new StoryUpdateRow(u.OriginalOutboxId, u.ChannelId, u.ItemKey, AlertMessageJson.Serialize(u.Message), at)).ToList();
        var keys = commit.SeenKeys.Distinct(StringComparer.Ordinal).Select(k => new { commit.FeedId, ItemKey = k, At = at }).ToList();

        return InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                // ON CONFLICT names the one constraint to tolerate; INSERT OR IGNORE would also swallow NOT NULL and
                // CHECK violations, which must fail the commit instead.
                var marked = keys.Count == 0 ? 0 : await connection.ExecuteAsync(Command(
                    """
                    INSERT INTO seen_items (feed_id, item_key, first_seen_at, last_seen_at) VALUES (@FeedId, @ItemKey, @At, @At)
                    ON CONFLICT (feed_id, item_key) DO NOTHING
                    """,
                    keys,
                    cancellationToken,
                    transaction));

                // Items the feed still lists stay "seen now" for retention; rewritten at most once per SeenRefresh.
                if (commit.ListedKeys is { Count: > 0 } listed)
                {
                    await connection.ExecuteAsync(Command(
                        """
                        UPDATE seen_items SET last_seen_at = @At
                        WHERE feed_id = @FeedId AND item_key IN (SELECT value FROM json_each(@Listed)) AND last_seen_at < @Floor
                        """,
                        new { commit.FeedId, Listed = JsonSerializer.Serialize(listed), At = at, Floor = SqliteTime.ToText(SeenFloor(commit.At)) },
                        cancellationToken,
                        transaction));
                }

                var enqueued = alerts.Count == 0 ? 0 : await connection.ExecuteAsync(Command(InsertOutbox, alerts, cancellationToken, transaction));
                foreach (var update in updates)
                {
                    await ApplyStoryUpdateAsync(connection, transaction, update, cancellationToken);
                }

                await RecordPollCommittedAsync(connection, transaction, commit, cancellationToken);
                return new PollCommitResult(marked, enqueued);
            },
            cancellationToken);
    }

    public override Task<int> EnqueueAsync(IReadOnlyList<NewAlert> alerts, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var rows = OutboxRows(alerts, SqliteTime.ToText(at));
        return rows.Count == 0
            ? Task.FromResult(0)
            : InWriteTransactionAsync(
                (connection, transaction) => connection.ExecuteAsync(Command(InsertOutbox, rows, cancellationToken, transaction)),
                cancellationToken);
    }

    // A held row (digest) is due when its period ends: next_attempt_at carries that time, and the claim skips it.
    private const string InsertOutbox =
        """
        INSERT INTO outbox (channel_id, item_key, payload, created_at, next_attempt_at, kind, story_url, story_title, story_hash, ref_id)
        VALUES (@ChannelId, @ItemKey, @Payload, @At, coalesce(@HoldUntil, @At), @Kind, @StoryUrl, @StoryTitle, @StoryHash, @RefersTo)
        ON CONFLICT (channel_id, item_key) DO NOTHING
        """;

    private static List<OutboxInsert> OutboxRows(IReadOnlyList<NewAlert> alerts, string at) =>
        alerts.Select(a => new OutboxInsert(
            a.ChannelId,
            a.ItemKey,
            AlertMessageJson.Serialize(a.Message),
            at,
            a.HoldUntil is { } until ? SqliteTime.ToText(until) : null,
            a.HoldUntil is not null ? "held" : OutboxKinds.ToText(a.Kind),
            a.Story?.Url,
            a.Story?.TitleKey,
            a.Story?.SimHash,
            a.RefersTo)).ToList();

    private sealed record OutboxInsert(
        long ChannelId, string ItemKey, string Payload, string At, string? HoldUntil, string Kind, string? StoryUrl, string? StoryTitle, long? StoryHash, long? RefersTo);

    public override async Task<IReadOnlyList<OutboxEntry>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return [];
        }

        // "Older" is (created_at, id): enqueue order, with the id settling rows of one commit.
        var rows = await QueryAsync<OutboxRow>(
            $"""
            SELECT {OutboxRow.Columns}, {OutboxRow.StoryColumns}
            FROM outbox o JOIN channels c ON c.id = o.channel_id LEFT JOIN outbox r ON r.id = o.ref_id AND o.kind IN ('update', 'alert')
            WHERE o.status = 'pending' AND o.kind <> 'held' AND o.next_attempt_at <= @Now AND c.active = 1
              AND NOT EXISTS (
                  SELECT 1 FROM outbox w
                  WHERE w.channel_id = o.channel_id AND w.status = 'pending' AND w.kind <> 'held' AND w.next_attempt_at > @Now
                    AND (w.created_at < o.created_at OR (w.created_at = o.created_at AND w.id < o.id)))
            ORDER BY o.created_at, o.id
            LIMIT @Max
            """,
            new { Now = SqliteTime.ToText(now), Max = max },
            cancellationToken);

        return await ToEntriesAsync(
            rows,
            "UPDATE outbox SET status = 'undeliverable', last_error = @Error, closed_at = @At WHERE id = @Id AND status = 'pending'",
            now,
            cancellationToken);
    }

    public override Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? platformMessageId, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = @At, platform_message_id = @MessageId
            WHERE id = @Id
            """,
            new { Id = outboxId, At = SqliteTime.ToText(at), MessageId = platformMessageId },
            cancellationToken);

    public override Task MarkAttemptFailedAsync(long outboxId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE outbox SET attempts = attempts + 1, last_error = @Error, next_attempt_at = @Next
            WHERE id = @Id AND status = 'pending'
            """,
            new { Id = outboxId, Error = error, Next = SqliteTime.ToText(nextAttemptAt) },
            cancellationToken);

    public override Task<int> MarkChannelUndeliverableAsync(long channelId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE outbox SET status = 'undeliverable', last_error = @Reason, closed_at = @At
            WHERE channel_id = @ChannelId AND status = 'pending'
            """,
            new { ChannelId = channelId, Reason = reason, At = SqliteTime.ToText(at) },
            cancellationToken);

    public override async Task<OutboxStats> GetOutboxStatsAsync(long? channelId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<OutboxStatsRow>(
            """
            SELECT COALESCE(SUM(status = 'pending' AND kind <> 'held'), 0) AS Pending,
                   MIN(CASE WHEN status = 'pending' AND kind <> 'held' THEN created_at END) AS OldestPendingAt,
                   MAX(delivered_at) AS LastDeliveredAt,
                   COALESCE(SUM(status = 'undeliverable'), 0) AS Undeliverable
            FROM outbox
            WHERE @ChannelId IS NULL OR channel_id = @ChannelId
            """,
            new { ChannelId = channelId },
            cancellationToken);
        return rows.Single().ToRecord();
    }
}
