using AlertBot.Core.Alerts;
using AlertBot.Core.Persistence;
using AlertBot.Storage.Outbox;

namespace AlertBot.Storage.Sqlite;

/// <summary>The outbox on one instance: its write transactions take turns, so a claim needs no marks.</summary>
public sealed partial class SqliteAlertStore
{
    private protected override string InsertOutbox =>
        """
        INSERT INTO outbox (channel_id, item_key, payload, created_at, next_attempt_at, kind, story_url, story_title, story_hash, ref_id)
        VALUES (@ChannelId, @ItemKey, @Payload, @At, coalesce(@HoldUntil, @At), @Kind, @StoryUrl, @StoryTitle, @StoryHash, @RefersTo)
        ON CONFLICT (channel_id, item_key) DO NOTHING
        """;

    // One row per element: Dapper runs the statement for each, inside the caller's transaction.
    private protected override object OutboxRows(IReadOnlyList<NewAlert> alerts, DateTimeOffset at)
    {
        var when = SqliteTime.ToText(at);
        return alerts.Select(a => new OutboxInsert(
            a.ChannelId,
            a.ItemKey,
            AlertMessageJson.Serialize(a.Message),
            when,
            SqliteTime.ToText(a.HoldUntil),
            a.HoldUntil is not null ? OutboxKinds.Held : OutboxKinds.ToText(a.Kind),
            a.Story?.Url,
            a.Story?.TitleKey,
            a.Story?.SimHash,
            a.RefersTo)).ToList();
    }

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
        return await ToEntriesAsync(rows, now, cancellationToken);
    }

    public override Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? platformMessageId, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = @At, platform_message_id = @MessageId
            WHERE id = @Id
            """,
            new { Id = outboxId, At = SqliteTime.ToText(at), MessageId = platformMessageId },
            cancellationToken);
}
