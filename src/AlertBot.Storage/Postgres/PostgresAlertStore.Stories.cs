using System.Data.Common;
using System.Text.Json;
using AlertBot.Core.Digests;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Storage.Outbox;
using AlertBot.Storage.Watchlists;
using Dapper;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage.Postgres;

/// <remarks>
/// Deciding whether a match joins a story and committing it happen under <see cref="LockStoriesAsync"/>: transaction
/// advisory locks per channel, so two instances polling two feeds of one story at once queue, and the second finds
/// the first's alert.
/// </remarks>
public sealed partial class PostgresAlertStore : IStoryStore
{
    private string? _schema;

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
            WHERE o.channel_id = ANY(@Channels) AND o.created_at >= @Since AND {StoryRow.Joinable("o")}
            ORDER BY o.created_at, o.id
            """,
            new { Channels = channelIds.ToArray(), Since = PostgresTime.ToDb(since) },
            cancellationToken);
        return StoryRow.ToAlerts(rows, _logger);
    }

    /// <remarks>
    /// The link and the title are equality lookups on their indexes; the SimHash distance is computed by the server
    /// over the channel's window of the (channel, created_at) index, so only the candidates' payloads travel and are
    /// read. bit_count needs PostgreSQL 14 or later.
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
                FROM unnest(@Channels, @Urls, @Titles, @Hashes) AS p (channel_id, url, title, hash)
                JOIN outbox c ON c.channel_id = p.channel_id
                WHERE c.created_at >= @Since AND {StoryRow.Joinable("c")}
                  AND (c.story_url = p.url OR c.story_title = p.title
                       OR (p.hash <> 0 AND c.story_hash <> 0 AND bit_count((c.story_hash # p.hash)::bit(64)) <= @MaxDistance)))
            ORDER BY o.created_at, o.id
            """,
            new
            {
                Channels = probes.Select(p => p.ChannelId).ToArray(),
                Urls = probes.Select(p => p.Story.Url).ToArray(),
                Titles = probes.Select(p => p.Story.TitleKey.Length == 0 ? null : p.Story.TitleKey).ToArray(),
                Hashes = probes.Select(p => p.Story.SimHash).ToArray(),
                Since = PostgresTime.ToDb(since),
                MaxDistance = maxDistance,
            },
            cancellationToken);
        return StoryRow.ToAlerts(rows, _logger);
    }

    /// <remarks>
    /// One connection holds a transaction with <c>pg_advisory_xact_lock</c> on a key per channel (and schema), taken in
    /// key order so overlapping sets queue instead of deadlocking; disposing rolls it back, which releases them. If the
    /// instance dies the session ends and the locks go with it. The plan's reads and the commit run on other pooled
    /// connections: the commit is visible before the locks are released.
    /// </remarks>
    public async Task<IAsyncDisposable> LockStoriesAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            _schema ??= await connection.ExecuteScalarAsync<string>(Command("SELECT current_schema()", null, cancellationToken)) ?? "";
            var keys = channelIds.Distinct().Select(c => AdvisoryLockKey.For($"story:{_schema}:{c}")).Order().ToArray();
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(Command(
                "SELECT pg_advisory_xact_lock(k) FROM unnest(@Keys) WITH ORDINALITY AS t (k, n) ORDER BY n",
                new { Keys = keys },
                cancellationToken,
                transaction));
            return new StoryLock(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class StoryLock(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await transaction.DisposeAsync();
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Inside <see cref="CommitPollAsync"/>'s transaction: the original takes the new message; an alert (not a held
    /// row) gets an update row, which supersedes the alert's updates still pending (the newest carries every source).
    /// The original is locked first, so another instance updating it at once waits and then supersedes this update
    /// instead of both staying queued.
    /// </summary>
    private static async Task ApplyStoryUpdateAsync(
        DbConnection connection, DbTransaction transaction, StoryUpdateRow update, CancellationToken cancellationToken)
    {
        var found = await connection.QuerySingleOrDefaultAsync<(string? Kind, string? Status)>(Command(
            "SELECT kind, status FROM outbox WHERE id = @OriginalId AND channel_id = @ChannelId FOR NO KEY UPDATE",
            update,
            cancellationToken,
            transaction));
        if (found.Kind is null || found.Status == "undeliverable")
        {
            return;
        }

        await connection.ExecuteAsync(Command("UPDATE outbox SET payload = @Payload::json WHERE id = @OriginalId", update, cancellationToken, transaction));
        if (found.Kind != "alert")
        {
            return;
        }

        // The update's own key ("update:<original>:<item key>") keeps it apart from the alert, which may carry the
        // same item key when two feeds list one link. Only an update that was written supersedes the pending ones.
        var updateId = await connection.QuerySingleOrDefaultAsync<long?>(Command(
            """
            INSERT INTO outbox (channel_id, item_key, payload, created_at, next_attempt_at, kind, ref_id)
            VALUES (@ChannelId, @ItemKey, @Payload::json, @At, @At, 'update', @OriginalId)
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

    /// <param name="ItemKey">The update row's own key, <c>update:&lt;original&gt;:&lt;item key&gt;</c>.</param>
    private sealed record StoryUpdateRow(long OriginalId, long ChannelId, string ItemKey, string Payload, DateTime At);

    // ---- Digests and priority terms ----------------------------------------------------------------------------

    public async Task<IReadOnlyDictionary<long, DigestMode>> GetDigestModesAsync(
        IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken)
    {
        var rows = channelIds.Count == 0 ? [] : await QueryAsync<(long Id, string Digest)>(
            "SELECT id, digest FROM channels WHERE id = ANY(@Channels)",
            new { Channels = channelIds.ToArray() },
            cancellationToken);
        return rows.ToDictionary(r => r.Id, r => OutboxKinds.DigestFromText(r.Digest));
    }

    public Task SetDigestModeAsync(long channelId, DigestMode mode, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE channels SET digest = @Digest WHERE id = @Id", new { Id = channelId, Digest = OutboxKinds.ToText(mode) }, cancellationToken);

    public async Task<bool> SetTermPriorityAsync(long channelId, string text, bool priority, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            "UPDATE watch_terms SET priority = @Priority WHERE channel_id = @ChannelId AND text_key = @Key",
            new { ChannelId = channelId, Key = WatchTermKey.For(WatchTermKey.Clean(text)), Priority = priority },
            cancellationToken) > 0;

    public async Task<IReadOnlyList<PriorityTerm>> ListPriorityTermsAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken)
    {
        var rows = channelIds.Count == 0 ? [] : await QueryAsync<(long ChannelId, string Text)>(
            "SELECT channel_id, text FROM watch_terms WHERE priority AND channel_id = ANY(@Channels) ORDER BY id",
            new { Channels = channelIds.ToArray() },
            cancellationToken);
        return [.. rows.Select(r => new PriorityTerm(r.ChannelId, r.Text))];
    }

    public async Task<IReadOnlyList<HeldAlert>> ListDueHeldAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<(long Id, long ChannelId, string ItemKey, string Payload, DateTime Until)>(
            """
            SELECT o.id, o.channel_id, o.item_key, o.payload::text, o.next_attempt_at
            FROM outbox o JOIN channels c ON c.id = o.channel_id
            WHERE o.kind = 'held' AND o.status = 'pending' AND o.next_attempt_at <= @Now AND c.active
            ORDER BY o.id
            """,
            new { Now = PostgresTime.ToDb(now) },
            cancellationToken);
        var held = new List<HeldAlert>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                held.Add(new HeldAlert(row.Id, row.ChannelId, row.ItemKey, AlertMessageJson.Deserialize(row.Payload), PostgresTime.FromDb(row.Until)));
            }
            catch (JsonException ex)
            {
                StoryRow.LogUnreadable(_logger, row.Id, ex);
                await ExecuteAsync(
                    $"UPDATE outbox SET status = 'undeliverable', last_error = @Error, closed_at = @At, {NoClaim} WHERE id = @Id AND status = 'pending'",
                    new { row.Id, Error = "Unreadable payload: " + ex.Message, At = PostgresTime.ToDb(now) },
                    cancellationToken);
            }
        }

        return held;
    }

    /// <remarks>
    /// Two instances draining at once build the same digest: its item key lets one insert it, and the other, whose
    /// insert waited on the first's uncommitted row, finds the conflict and changes nothing.
    /// </remarks>
    public Task<bool> CommitDigestAsync(NewAlert digest, IReadOnlyList<long> heldOutboxIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = PostgresTime.ToDb(now);
        var row = OutboxArrays.From([digest], at);
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
                    WHERE id = ANY(@Ids) AND kind = 'held' AND status = 'pending'
                    """,
                    new { At = at, DigestId = digestId, Ids = heldOutboxIds.ToArray() },
                    cancellationToken,
                    transaction));
                return true;
            },
            cancellationToken);
    }
}
