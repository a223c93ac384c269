using System.Data.Common;
using System.Text.Json;
using AlertBot.Core.Alerts;
using AlertBot.Core.Digests;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Storage.Outbox;
using AlertBot.Storage.Watchlists;
using Dapper;

namespace AlertBot.Storage;

/// <summary>
/// <see cref="IStoryStore"/>: stories across sources (outbox rows with a fingerprint), digests (held rows) and
/// priority terms. Deciding whether a match joins a story and committing it happen under
/// <see cref="LockStoriesAsync"/>, which each provider takes its own way.
/// </summary>
public abstract partial class DapperAlertStore
{
    public abstract Task<IAsyncDisposable> LockStoriesAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken);

    /// <summary>
    /// A table expression over the probe list parameter(s) of <see cref="ProbeParameters"/>, with the columns
    /// <c>channel_id</c>, <c>url</c>, <c>title</c> and <c>hash</c>.
    /// </summary>
    private protected abstract string ProbeRows { get; }

    private protected abstract object ProbeParameters(IReadOnlyList<StoryProbe> probes);

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
            WHERE {AnyOf("o.channel_id", "@Channels")} AND o.created_at >= @Since AND {StoryRow.Joinable("o")}
            ORDER BY o.created_at, o.id
            """,
            new { Channels = ToDbList(channelIds), Since = ToDb(since) },
            cancellationToken);
        return StoryRow.ToAlerts(rows, Logger);
    }

    /// <remarks>
    /// The link and the title are equality lookups on their indexes; the SimHash distance is computed by the database
    /// over the channel's window of the (channel, created_at) index, so only the candidates' payloads travel and are read.
    /// </remarks>
    public async Task<IReadOnlyList<StoryAlert>> FindStoryAlertsAsync(
        IReadOnlyList<StoryProbe> probes, DateTimeOffset since, int maxDistance, CancellationToken cancellationToken)
    {
        if (probes.Count == 0)
        {
            return [];
        }

        var parameters = new DynamicParameters(new { Since = ToDb(since), MaxDistance = maxDistance });
        parameters.AddDynamicParams(ProbeParameters(probes));
        var rows = await QueryAsync<StoryRow>(
            $"""
            SELECT {StoryRow.Columns}
            FROM outbox o
            WHERE o.id IN (
                SELECT c.id
                FROM {ProbeRows}
                JOIN outbox c ON c.channel_id = p.channel_id
                WHERE c.created_at >= @Since AND {StoryRow.Joinable("c")}
                  AND (c.story_url = p.url OR c.story_title = p.title
                       OR (p.hash <> 0 AND c.story_hash <> 0 AND {Hamming("c.story_hash", "p.hash")} <= @MaxDistance)))
            ORDER BY o.created_at, o.id
            """,
            parameters,
            cancellationToken);
        return StoryRow.ToAlerts(rows, Logger);
    }

    /// <summary>
    /// Inside <see cref="CommitPollAsync"/>'s transaction: the original takes the new message; an alert (not a held
    /// row) gets an update row, which supersedes the alert's updates still pending (the newest carries every source).
    /// The original is locked first, so another instance updating it at once waits and then supersedes this update
    /// instead of both staying queued.
    /// </summary>
    private async Task ApplyStoryUpdateAsync(
        DbConnection connection, DbTransaction transaction, StoryUpdateRow update, CancellationToken cancellationToken)
    {
        var found = await connection.QuerySingleOrDefaultAsync<(string? Kind, string? Status)>(Command(
            $"SELECT kind, status FROM outbox WHERE id = @OriginalId AND channel_id = @ChannelId{LockForUpdate}",
            update,
            cancellationToken,
            transaction));
        if (found.Kind is null || found.Status == "undeliverable")
        {
            return;
        }

        await connection.ExecuteAsync(Command($"UPDATE outbox SET payload = {Json("@Payload")} WHERE id = @OriginalId", update, cancellationToken, transaction));
        if (found.Kind != "alert")
        {
            return;
        }

        // The update's own key ("update:<original>:<item key>") keeps it apart from the alert, which may carry the
        // same item key when two feeds list one link. Only an update that was written supersedes the pending ones.
        var updateId = await connection.QuerySingleOrDefaultAsync<long?>(Command(
            $"""
            INSERT INTO outbox (channel_id, item_key, payload, created_at, next_attempt_at, kind, ref_id)
            VALUES (@ChannelId, @ItemKey, {Json("@Payload")}, @At, @At, 'update', @OriginalId)
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
    /// <param name="At">The commit's time as the provider's parameters carry it.</param>
    private sealed record StoryUpdateRow(long OriginalId, long ChannelId, string ItemKey, string Payload, object At);

    // ---- Digests and priority terms ----------------------------------------------------------------------------

    public async Task<IReadOnlyDictionary<long, DigestMode>> GetDigestModesAsync(
        IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken)
    {
        var rows = channelIds.Count == 0 ? [] : await QueryAsync<(long Id, string Digest)>(
            $"SELECT id, digest FROM channels WHERE {AnyOf("id", "@Channels")}",
            new { Channels = ToDbList(channelIds) },
            cancellationToken);
        return rows.ToDictionary(r => r.Id, r => OutboxKinds.DigestFromText(r.Digest));
    }

    public Task SetDigestModeAsync(long channelId, DigestMode mode, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE channels SET digest = @Digest WHERE id = @Id", new { Id = channelId, Digest = OutboxKinds.ToText(mode) }, cancellationToken);

    // A bool parameter binds as 0/1 on SQLite and as boolean on PostgreSQL; a flag column reads as a condition on both.
    public async Task<bool> SetTermPriorityAsync(long channelId, string text, bool priority, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            "UPDATE watch_terms SET priority = @Priority WHERE channel_id = @ChannelId AND text_key = @Key",
            new { ChannelId = channelId, Key = WatchTermKey.For(WatchTermKey.Clean(text)), Priority = priority },
            cancellationToken) > 0;

    public async Task<IReadOnlyList<PriorityTerm>> ListPriorityTermsAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken)
    {
        var rows = channelIds.Count == 0 ? [] : await QueryAsync<(long ChannelId, string Text)>(
            $"SELECT channel_id, text FROM watch_terms WHERE priority AND {AnyOf("channel_id", "@Channels")} ORDER BY id",
            new { Channels = ToDbList(channelIds) },
            cancellationToken);
        return [.. rows.Select(r => new PriorityTerm(r.ChannelId, r.Text))];
    }

    public async Task<IReadOnlyList<HeldAlert>> ListDueHeldAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<(long Id, long ChannelId, string ItemKey, string Payload, object Until)>(
            """
            SELECT o.id, o.channel_id, o.item_key, o.payload, o.next_attempt_at
            FROM outbox o JOIN channels c ON c.id = o.channel_id
            WHERE o.kind = 'held' AND o.status = 'pending' AND o.next_attempt_at <= @Now AND c.active
            ORDER BY o.id
            """,
            new { Now = ToDb(now) },
            cancellationToken);
        var held = new List<HeldAlert>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                held.Add(new HeldAlert(row.Id, row.ChannelId, row.ItemKey, AlertMessageJson.Deserialize(row.Payload), StoredTime.Read(row.Until)));
            }
            catch (JsonException ex)
            {
                StoryRow.LogUnreadable(Logger, row.Id, ex);
                await ExecuteAsync(CloseUnreadable, new { row.Id, Error = "Unreadable payload: " + ex.Message, At = ToDb(now) }, cancellationToken);
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
        var row = OutboxRows([digest], now);
        return InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                if (await connection.ExecuteAsync(Command(InsertOutbox, row, cancellationToken, transaction)) == 0)
                {
                    return false;
                }

                var digestId = await connection.ExecuteScalarAsync<long>(Command(
                    "SELECT id FROM outbox WHERE channel_id = @ChannelId AND item_key = @ItemKey",
                    new { digest.ChannelId, digest.ItemKey },
                    cancellationToken,
                    transaction));
                await connection.ExecuteAsync(Command(
                    $"""
                    UPDATE outbox SET status = 'delivered', delivered_at = @At, ref_id = @DigestId
                    WHERE {AnyOf("id", "@Ids")} AND kind = 'held' AND status = 'pending'
                    """,
                    new { At = ToDb(now), DigestId = digestId, Ids = ToDbList(heldOutboxIds) },
                    cancellationToken,
                    transaction));
                return true;
            },
            cancellationToken);
    }
}
