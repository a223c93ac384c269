using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using AlertBot.Storage.Outbox;

namespace AlertBot.Storage.Postgres;

// Rows as Npgsql hands them to Dapper (bigint → long, integer → int, boolean → bool, timestamptz → UTC DateTime);
// each knows how to become its Core record. The column lists sit next to the row types so a SELECT and its row
// cannot drift apart.

internal sealed class PgFeedRow
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
    public int Backfill { get; set; }
    public bool BaselineDone { get; set; }
    public string? ETag { get; set; }
    public string? LastModified { get; set; }
    public DateTime? LastPolledAt { get; set; }
    public DateTime? LastSuccessAt { get; set; }
    public string? LastError { get; set; }
    public int ConsecutiveFailures { get; set; }
    public DateTime CreatedAt { get; set; }

    public FeedRecord ToRecord() => new()
    {
        Id = Id,
        Url = Url,
        Name = Name,
        Interval = TimeSpan.FromMilliseconds(IntervalMs),
        Backfill = Backfill,
        BaselineDone = BaselineDone,
        ETag = ETag,
        LastModified = LastModified,
        LastPolledAt = PostgresTime.FromDb(LastPolledAt),
        LastSuccessAt = PostgresTime.FromDb(LastSuccessAt),
        LastError = LastError,
        ConsecutiveFailures = ConsecutiveFailures,
        CreatedAt = PostgresTime.FromDb(CreatedAt),
    };
}

internal sealed class PgChannelRow
{
    public const string Columns =
        "c.id AS Id, c.platform AS Platform, c.external_id AS ExternalId, c.title AS Title, c.active AS Active, " +
        "c.paused AS Paused, c.created_at AS CreatedAt";

    public long Id { get; set; }
    public string Platform { get; set; } = "";
    public string ExternalId { get; set; } = "";
    public string? Title { get; set; }
    public bool Active { get; set; }
    public bool Paused { get; set; }
    public DateTime CreatedAt { get; set; }

    public Channel ToRecord() =>
        new(Id, new ChannelRef(Platform, ExternalId), Title, Active, Paused, PostgresTime.FromDb(CreatedAt));
}

internal sealed class PgWatchTermRow
{
    public const string Columns = "t.id AS Id, t.channel_id AS ChannelId, t.text AS Text, t.created_at AS CreatedAt";

    public long Id { get; set; }
    public long ChannelId { get; set; }
    public string Text { get; set; } = "";
    public DateTime CreatedAt { get; set; }

    public WatchTerm ToRecord() => new(Id, ChannelId, Text, PostgresTime.FromDb(CreatedAt));
}

internal sealed class PgOutboxRow
{
    // Used in UPDATE ... RETURNING, where the outbox row is "o" and its channel "c".
    public const string Columns =
        "o.id AS Id, o.channel_id AS ChannelId, c.platform AS Platform, c.external_id AS ExternalId, o.item_key AS ItemKey, " +
        "o.payload::text AS Payload, o.attempts AS Attempts, o.created_at AS CreatedAt, o.next_attempt_at AS NextAttemptAt";

    public long Id { get; set; }
    public long ChannelId { get; set; }
    public string Platform { get; set; } = "";
    public string ExternalId { get; set; } = "";
    public string ItemKey { get; set; } = "";
    public string Payload { get; set; } = "";
    public long Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }

    public OutboxEntry ToRecord() => new(
        Id,
        ChannelId,
        new ChannelRef(Platform, ExternalId),
        ItemKey,
        AlertMessageJson.Deserialize(Payload),
        checked((int)Attempts),
        PostgresTime.FromDb(CreatedAt),
        PostgresTime.FromDb(NextAttemptAt));
}

internal sealed class PgOutboxStatsRow
{
    public long Pending { get; set; }
    public DateTime? OldestPendingAt { get; set; }
    public DateTime? LastDeliveredAt { get; set; }
    public long Undeliverable { get; set; }

    public OutboxStats ToRecord() => new(
        checked((int)Pending),
        PostgresTime.FromDb(OldestPendingAt),
        PostgresTime.FromDb(LastDeliveredAt),
        checked((int)Undeliverable));
}
