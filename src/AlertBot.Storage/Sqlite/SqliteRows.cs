using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using AlertBot.Storage.Outbox;

namespace AlertBot.Storage.Sqlite;

// Rows as SQLite hands them to Dapper (INTEGER → long, TEXT → string); each knows how to become its Core record.
// The column lists sit next to the row types so a SELECT and its row cannot drift apart.

internal sealed class FeedRow
{
    public const string Columns =
        "f.id AS Id, f.url AS Url, f.name AS Name, f.interval_ms AS IntervalMs, f.backfill AS Backfill, " +
        "f.baseline_done AS BaselineDone, f.etag AS ETag, f.last_modified AS LastModified, f.last_polled_at AS LastPolledAt, " +
        "f.last_success_at AS LastSuccessAt, f.last_error AS LastError, f.consecutive_failures AS ConsecutiveFailures, " +
        "f.created_at AS CreatedAt";

    public long Id { get; set; }
    public string Url { get; set; } = "";
    public string Name { get; set; } = "";
    public long IntervalMs { get; set; }
    public long Backfill { get; set; }
    public long BaselineDone { get; set; }
    public string? ETag { get; set; }
    public string? LastModified { get; set; }
    public string? LastPolledAt { get; set; }
    public string? LastSuccessAt { get; set; }
    public string? LastError { get; set; }
    public long ConsecutiveFailures { get; set; }
    public string CreatedAt { get; set; } = "";

    public FeedRecord ToRecord() => new()
    {
        Id = Id,
        Url = Url,
        Name = Name,
        Interval = TimeSpan.FromMilliseconds(IntervalMs),
        Backfill = checked((int)Backfill),
        BaselineDone = BaselineDone != 0,
        ETag = ETag,
        LastModified = LastModified,
        LastPolledAt = SqliteTime.FromNullableText(LastPolledAt),
        LastSuccessAt = SqliteTime.FromNullableText(LastSuccessAt),
        LastError = LastError,
        ConsecutiveFailures = checked((int)ConsecutiveFailures),
        CreatedAt = SqliteTime.FromText(CreatedAt),
    };
}

internal sealed class ChannelRow
{
    public const string Columns =
        "c.id AS Id, c.platform AS Platform, c.external_id AS ExternalId, c.title AS Title, c.active AS Active, " +
        "c.paused AS Paused, c.created_at AS CreatedAt";

    public long Id { get; set; }
    public string Platform { get; set; } = "";
    public string ExternalId { get; set; } = "";
    public string? Title { get; set; }
    public long Active { get; set; }
    public long Paused { get; set; }
    public string CreatedAt { get; set; } = "";

    public Channel ToRecord() =>
        new(Id, new ChannelRef(Platform, ExternalId), Title, Active != 0, Paused != 0, SqliteTime.FromText(CreatedAt));
}

internal sealed class WatchTermRow
{
    public const string Columns = "t.id AS Id, t.channel_id AS ChannelId, t.text AS Text, t.created_at AS CreatedAt";

    public long Id { get; set; }
    public long ChannelId { get; set; }
    public string Text { get; set; } = "";
    public string CreatedAt { get; set; } = "";

    public WatchTerm ToRecord() => new(Id, ChannelId, Text, SqliteTime.FromText(CreatedAt));
}

internal sealed class OutboxRow
{
    public const string Columns =
        "o.id AS Id, o.channel_id AS ChannelId, c.platform AS Platform, c.external_id AS ExternalId, o.item_key AS ItemKey, " +
        "o.payload AS Payload, o.attempts AS Attempts, o.created_at AS CreatedAt, o.next_attempt_at AS NextAttemptAt, " +
        "o.kind AS Kind, o.ref_id AS RefId, r.platform_message_id AS RefMessageId";

    public long Id { get; set; }
    public long ChannelId { get; set; }
    public string Platform { get; set; } = "";
    public string ExternalId { get; set; } = "";
    public string ItemKey { get; set; } = "";
    public string Payload { get; set; } = "";
    public long Attempts { get; set; }
    public string CreatedAt { get; set; } = "";
    public string NextAttemptAt { get; set; } = "";
    public string Kind { get; set; } = "alert";
    public long? RefId { get; set; }
    public string? RefMessageId { get; set; }

    public OutboxEntry ToRecord() => new(
        Id,
        ChannelId,
        new ChannelRef(Platform, ExternalId),
        ItemKey,
        AlertMessageJson.Deserialize(Payload),
        checked((int)Attempts),
        SqliteTime.FromText(CreatedAt),
        SqliteTime.FromText(NextAttemptAt),
        OutboxKinds.FromText(Kind),
        RefId,
        RefMessageId);
}

internal sealed class OutboxStatsRow
{
    public long Pending { get; set; }
    public string? OldestPendingAt { get; set; }
    public string? LastDeliveredAt { get; set; }
    public long Undeliverable { get; set; }

    public OutboxStats ToRecord() => new(
        checked((int)Pending),
        SqliteTime.FromNullableText(OldestPendingAt),
        SqliteTime.FromNullableText(LastDeliveredAt),
        checked((int)Undeliverable));
}
