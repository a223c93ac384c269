using System.Text.Json;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Core.Watchlists;
using AlertBot.Storage.Outbox;
using AlertBot.Storage.Postgres;
using AlertBot.Storage.Sqlite;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage;

// Rows as either database hands them to Dapper, each knowing how to become its Core record. Numbers and flags are
// converted by Dapper (SQLite's INTEGER 0/1 and PostgreSQL's boolean both land in a bool); timestamps differ in kind
// (SQLite: text, PostgreSQL: timestamptz) and are read by StoredTime. The column lists sit next to the row types so
// a SELECT and its row cannot drift apart.

/// <summary>Reads a timestamp as either database returns it.</summary>
internal static class StoredTime
{
    public static DateTimeOffset Read(object value) => value switch
    {
        string text => SqliteTime.FromText(text),
        DateTime utc => PostgresTime.FromDb(utc),
        _ => throw new InvalidCastException($"A stored timestamp came back as {value.GetType().Name}."),
    };

    public static DateTimeOffset? ReadNullable(object? value) => value is null ? null : Read(value);
}

internal sealed class FeedRow
{
    public const string Columns =
        "f.id AS Id, f.url AS Url, f.name AS Name, f.interval_ms AS IntervalMs, f.interval_explicit AS IntervalExplicit, f.backfill AS Backfill, " +
        "f.baseline_done AS BaselineDone, f.etag AS ETag, f.last_modified AS LastModified, f.last_polled_at AS LastPolledAt, " +
        "f.last_success_at AS LastSuccessAt, f.last_error AS LastError, f.consecutive_failures AS ConsecutiveFailures, " +
        "f.created_at AS CreatedAt";

    public long Id { get; set; }
    public string Url { get; set; } = "";
    public string Name { get; set; } = "";
    public long IntervalMs { get; set; }
    public bool IntervalExplicit { get; set; }
    public long Backfill { get; set; }
    public bool BaselineDone { get; set; }
    public string? ETag { get; set; }
    public string? LastModified { get; set; }
    public object? LastPolledAt { get; set; }
    public object? LastSuccessAt { get; set; }
    public string? LastError { get; set; }
    public long ConsecutiveFailures { get; set; }
    public object CreatedAt { get; set; } = "";

    public FeedRecord ToRecord() => new()
    {
        Id = Id,
        Url = Url,
        Name = Name,
        Interval = IntervalExplicit ? TimeSpan.FromMilliseconds(IntervalMs) : null,
        Backfill = checked((int)Backfill),
        BaselineDone = BaselineDone,
        ETag = ETag,
        LastModified = LastModified,
        LastPolledAt = StoredTime.ReadNullable(LastPolledAt),
        LastSuccessAt = StoredTime.ReadNullable(LastSuccessAt),
        LastError = LastError,
        ConsecutiveFailures = checked((int)ConsecutiveFailures),
        CreatedAt = StoredTime.Read(CreatedAt),
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
    public bool Active { get; set; }
    public bool Paused { get; set; }
    public object CreatedAt { get; set; } = "";

    public Channel ToRecord() =>
        new(Id, new ChannelRef(Platform, ExternalId), Title, Active, Paused, StoredTime.Read(CreatedAt));
}

internal sealed class WatchTermRow
{
    public const string Columns = "t.id AS Id, t.channel_id AS ChannelId, t.text AS Text, t.created_at AS CreatedAt";

    public long Id { get; set; }
    public long ChannelId { get; set; }
    public string Text { get; set; } = "";
    public object CreatedAt { get; set; } = "";

    public WatchTerm ToRecord() => new(Id, ChannelId, Text, StoredTime.Read(CreatedAt));
}

internal sealed class OutboxRow
{
    // The outbox row is "o" and its channel "c" (in a join, or in UPDATE ... FROM ... RETURNING).
    public const string Columns =
        "o.id AS Id, o.channel_id AS ChannelId, c.platform AS Platform, c.external_id AS ExternalId, o.item_key AS ItemKey, " +
        "o.payload AS Payload, o.attempts AS Attempts, o.created_at AS CreatedAt, o.next_attempt_at AS NextAttemptAt";

    /// <summary>
    /// The story columns (SQLite migration 0002) with the referred alert as "r": what a provider with updates and
    /// digests selects beside <see cref="Columns"/>. Without them a row reads as a plain alert.
    /// </summary>
    public const string StoryColumns = "o.kind AS Kind, o.ref_id AS RefId, r.platform_message_id AS RefMessageId";

    public long Id { get; set; }
    public long ChannelId { get; set; }
    public string Platform { get; set; } = "";
    public string ExternalId { get; set; } = "";
    public string ItemKey { get; set; } = "";
    public string Payload { get; set; } = "";
    public long Attempts { get; set; }
    public object CreatedAt { get; set; } = "";
    public object NextAttemptAt { get; set; } = "";
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
        StoredTime.Read(CreatedAt),
        StoredTime.Read(NextAttemptAt),
        OutboxKinds.FromText(Kind),
        RefId,
        RefMessageId);
}

/// <summary>An outbox row with a story fingerprint (migration 0002), as <see cref="IStoryStore.ListStoryAlertsAsync"/> reads it.</summary>
internal sealed partial class StoryRow
{
    // The outbox row is "o".
    public const string Columns =
        "o.id AS OutboxId, o.channel_id AS ChannelId, o.kind AS Kind, o.story_url AS StoryUrl, o.story_title AS StoryTitle, " +
        "o.story_hash AS StoryHash, o.payload AS Payload, o.created_at AS CreatedAt";

    /// <summary>The rows of outbox <paramref name="o"/> a later copy of a story can join: alerts sent, queued or held, with a fingerprint.</summary>
    public static string Joinable(string o) => $"{o}.story_hash IS NOT NULL AND {o}.status <> 'undeliverable' AND {o}.kind IN ('alert', 'held')";

    public long OutboxId { get; set; }
    public long ChannelId { get; set; }
    public string Kind { get; set; } = "";
    public string? StoryUrl { get; set; }
    public string? StoryTitle { get; set; }
    public long StoryHash { get; set; }
    public string Payload { get; set; } = "";
    public object CreatedAt { get; set; } = "";

    /// <summary>The rows as story alerts; an unreadable payload is logged and left out (the claim closes such rows).</summary>
    public static List<StoryAlert> ToAlerts(IReadOnlyList<StoryRow> rows, ILogger logger)
    {
        var alerts = new List<StoryAlert>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                alerts.Add(new StoryAlert(
                    row.OutboxId,
                    row.ChannelId,
                    row.Kind == OutboxKinds.Held,
                    new StoryFingerprint(row.StoryUrl, row.StoryTitle ?? "", row.StoryHash),
                    AlertMessageJson.Deserialize(row.Payload),
                    StoredTime.Read(row.CreatedAt)));
            }
            catch (JsonException ex)
            {
                // The story is simply not joinable.
                LogUnreadable(logger, row.OutboxId, ex);
            }
        }

        return alerts;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox entry {OutboxId} has an unreadable payload; it cannot take part in stories or digests")]
    public static partial void LogUnreadable(ILogger logger, long outboxId, Exception exception);
}

/// <summary>A parked outbox row (migration 0003) with its channel as "c".</summary>
internal sealed class ParkedRow
{
    public const string Columns =
        "o.id AS Id, c.platform AS Platform, c.external_id AS ExternalId, o.item_key AS ItemKey, o.payload AS Payload, " +
        "o.attempts AS Attempts, o.last_error AS LastError, o.created_at AS CreatedAt, o.parked_at AS ParkedAt";

    public long Id { get; set; }
    public string Platform { get; set; } = "";
    public string ExternalId { get; set; } = "";
    public string ItemKey { get; set; } = "";
    public string Payload { get; set; } = "";
    public long Attempts { get; set; }
    public string? LastError { get; set; }
    public object CreatedAt { get; set; } = "";
    public object ParkedAt { get; set; } = "";

    public ParkedAlert ToRecord()
    {
        // The operator still needs to see (and can re-queue) a row whose payload no longer reads.
        (string Title, string? Link) message;
        try
        {
            var read = AlertMessageJson.Deserialize(Payload);
            message = (read.Title, read.Link);
        }
        catch (System.Text.Json.JsonException)
        {
            message = ("(unreadable payload)", null);
        }

        return new ParkedAlert(
            Id,
            new ChannelRef(Platform, ExternalId),
            ItemKey,
            message.Title,
            message.Link,
            checked((int)Attempts),
            LastError,
            StoredTime.Read(CreatedAt),
            StoredTime.Read(ParkedAt));
    }
}

internal sealed class OutboxStatsRow
{
    public long Pending { get; set; }
    public object? OldestPendingAt { get; set; }
    public object? LastDeliveredAt { get; set; }
    public long Undeliverable { get; set; }

    public OutboxStats ToRecord() => new(
        checked((int)Pending),
        StoredTime.ReadNullable(OldestPendingAt),
        StoredTime.ReadNullable(LastDeliveredAt),
        checked((int)Undeliverable));
}
