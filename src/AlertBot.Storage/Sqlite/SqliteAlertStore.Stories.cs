using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using AlertBot.Core.Digests;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Storage.Outbox;
using AlertBot.Storage.Watchlists;
using Dapper;

namespace AlertBot.Storage.Sqlite;

public sealed partial class SqliteAlertStore : IStoryStore
{
    // ---- Stories -----------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<StoryAlert>> ListStoryAlertsAsync(
        IReadOnlyCollection<long> channelIds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (channelIds.Count == 0)
        {
            return [];
        }

        var rows = await QueryAsync<StoryRow>(
            $"""
            SELECT {StoryRow.Columns}
            FROM outbox o
            WHERE o.channel_id IN (SELECT value FROM json_each(@Channels)) AND o.created_at >= @Since AND {StoryRow.Joinable("o")}
            ORDER BY o.created_at, o.id
            """,
            new { Channels = JsonSerializer.Serialize(channelIds), Since = SqliteTime.ToText(since) },
            cancellationToken);
        return StoryRow.ToAlerts(rows, _logger);
    }

    /// <remarks>
    /// The link and the title are equality lookups on their indexes; the SimHash distance is computed by SQLite (the
    /// <c>alertbot_hamming</c> function every connection gets) over the channel's window of the (channel, created_at)
    /// index, so only the candidates' payloads are read.
    /// </remarks>
    public async Task<IReadOnlyList<StoryAlert>> FindStoryAlertsAsync(
        IReadOnlyList<StoryProbe> probes, DateTimeOffset since, int maxDistance, CancellationToken cancellationToken)
    {
        if (probes.Count == 0)
        {
            return [];
        }

        var rows = await QueryAsync<StoryRow>(
            $"""
            SELECT {StoryRow.Columns}
            FROM outbox o
            WHERE o.id IN (
                SELECT c.id
                FROM json_each(@Probes) AS j
                JOIN outbox c ON c.channel_id = json_extract(j.value, '$.c')
                WHERE c.created_at >= @Since AND {StoryRow.Joinable("c")}
                  AND (c.story_url = json_extract(j.value, '$.u') OR c.story_title = json_extract(j.value, '$.t')
                       OR (json_extract(j.value, '$.h') <> 0 AND c.story_hash <> 0
                           AND alertbot_hamming(c.story_hash, json_extract(j.value, '$.h')) <= @MaxDistance)))
            ORDER BY o.created_at, o.id
            """,
            new
            {
                Probes = JsonSerializer.Serialize(probes.Select(p => new ProbeJson(
                    p.ChannelId, p.Story.Url, p.Story.TitleKey.Length == 0 ? null : p.Story.TitleKey, p.Story.SimHash))),
                Since = SqliteTime.ToText(since),
                MaxDistance = maxDistance,
            },
            cancellationToken);
        return StoryRow.ToAlerts(rows, _logger);
    }

    private sealed record ProbeJson(
        [property: JsonPropertyName("c")] long ChannelId,
        [property: JsonPropertyName("u")] string? Url,
        [property: JsonPropertyName("t")] string? Title,
        [property: JsonPropertyName("h")] long Hash);

    /// <summary>One process owns a SQLite database: in-process locks per channel suffice.</summary>
    public Task<IAsyncDisposable> LockStoriesAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken) =>
        _storyLocks.LockAsync(channelIds, cancellationToken);

    /// <summary>
    /// Inside <see cref="CommitPollAsync"/>'s transaction: the original takes the new message; an alert (not a held
    /// row) gets an update row, which supersedes the alert's updates still pending (the newest carries every source).
    /// </summary>
    private static async Task ApplyStoryUpdateAsync(
        DbConnection connection, DbTransaction transaction, StoryUpdateRow update, CancellationToken cancellationToken)
    {
        var found = await connection.QuerySingleOrDefaultAsync<(string? Kind, string? Status)>(Command(
            "SELECT kind, status FROM outbox WHERE id = @OriginalId AND channel_id = @ChannelId",
            update,
            cancellationToken,
            transaction));
        if (found.Kind is null || found.Status == "undeliverable")
        {
            return;
        }

        await connection.ExecuteAsync(Command("UPDATE outbox SET payload = @Payload WHERE id = @OriginalId", update, cancellationToken, transaction));
        if (found.Kind != "alert")
        {
            return;
        }

        // The update's own key ("update:<original>:<item key>") keeps it apart from the alert, which may carry the
        // same item key when two feeds list one link. Only an update that was written supersedes the pending ones.
        var updateId = await connection.QuerySingleOrDefaultAsync<long?>(Command(
            """
            INSERT INTO outbox (channel_id, item_key, payload, created_at, next_attempt_at, kind, ref_id)
            VALUES (@ChannelId, 'update:' || @OriginalId || ':' || @ItemKey, @Payload, @At, @At, 'update', @OriginalId)
            ON CONFLICT (channel_id, item_key) DO NOTHING
            RETURNING id
            """,
            update,
            cancellationToken,
            transaction));
        if (updateId is { } written)
        {
            await connection.ExecuteAsync(Command(
                "DELETE FROM outbox WHERE ref_id = @OriginalId AND kind = 'update' AND status = 'pending' AND id <> @Written",
                new { update.OriginalId, Written = written },
                cancellationToken,
                transaction));
        }
    }

    private sealed record StoryUpdateRow(long OriginalId, long ChannelId, string ItemKey, string Payload, string At);

    // ---- Digests and priority terms ----------------------------------------------------------------------------

    public async Task<IReadOnlyDictionary<long, DigestMode>> GetDigestModesAsync(
        IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken)
    {
        var rows = channelIds.Count == 0 ? [] : await QueryAsync<(long Id, string Digest)>(
            "SELECT id, digest FROM channels WHERE id IN (SELECT value FROM json_each(@Channels))",
            new { Channels = JsonSerializer.Serialize(channelIds) },
            cancellationToken);
        return rows.ToDictionary(r => r.Id, r => OutboxKinds.DigestFromText(r.Digest));
    }

    public Task SetDigestModeAsync(long channelId, DigestMode mode, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE channels SET digest = @Digest WHERE id = @Id", new { Id = channelId, Digest = OutboxKinds.ToText(mode) }, cancellationToken);

    public async Task<bool> SetTermPriorityAsync(long channelId, string text, bool priority, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            "UPDATE watch_terms SET priority = @Priority WHERE channel_id = @ChannelId AND text_key = @Key",
            new { ChannelId = channelId, Key = WatchTermKey.For(WatchTermKey.Clean(text)), Priority = priority ? 1 : 0 },
            cancellationToken) > 0;

    public async Task<IReadOnlyList<PriorityTerm>> ListPriorityTermsAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken)
    {
        var rows = channelIds.Count == 0 ? [] : await QueryAsync<(long ChannelId, string Text)>(
            "SELECT channel_id, text FROM watch_terms WHERE priority = 1 AND channel_id IN (SELECT value FROM json_each(@Channels)) ORDER BY id",
            new { Channels = JsonSerializer.Serialize(channelIds) },
            cancellationToken);
        return [.. rows.Select(r => new PriorityTerm(r.ChannelId, r.Text))];
    }

    public async Task<IReadOnlyList<HeldAlert>> ListDueHeldAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<(long Id, long ChannelId, string ItemKey, string Payload, string Until)>(
            """
            SELECT o.id, o.channel_id, o.item_key, o.payload, o.next_attempt_at
            FROM outbox o JOIN channels c ON c.id = o.channel_id
            WHERE o.kind = 'held' AND o.status = 'pending' AND o.next_attempt_at <= @Now AND c.active = 1
            ORDER BY o.id
            """,
            new { Now = SqliteTime.ToText(now) },
            cancellationToken);
        var held = new List<HeldAlert>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                held.Add(new HeldAlert(row.Id, row.ChannelId, row.ItemKey, AlertMessageJson.Deserialize(row.Payload), SqliteTime.FromText(row.Until)));
            }
            catch (JsonException ex)
            {
                StoryRow.LogUnreadable(_logger, row.Id, ex);
                await ExecuteAsync(
                    "UPDATE outbox SET status = 'undeliverable', last_error = @Error, closed_at = @At WHERE id = @Id AND status = 'pending'",
                    new { row.Id, Error = "Unreadable payload: " + ex.Message, At = SqliteTime.ToText(now) },
                    cancellationToken);
            }
        }

        return held;
    }

    public Task<bool> CommitDigestAsync(NewAlert digest, IReadOnlyList<long> heldOutboxIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = SqliteTime.ToText(now);
        var row = OutboxRows([digest], at)[0];
        return InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                var digestId = await connection.QuerySingleOrDefaultAsync<long?>(Command(
                    InsertOutbox + " RETURNING id", row, cancellationToken, transaction));
                if (digestId is null)
                {
                    return false;
                }

                await connection.ExecuteAsync(Command(
                    """
                    UPDATE outbox SET status = 'delivered', delivered_at = @At, ref_id = @DigestId
                    WHERE id IN (SELECT value FROM json_each(@Ids)) AND kind = 'held' AND status = 'pending'
                    """,
                    new { At = at, DigestId = digestId, Ids = JsonSerializer.Serialize(heldOutboxIds) },
                    cancellationToken,
                    transaction));
                return true;
            },
            cancellationToken);
    }
}
