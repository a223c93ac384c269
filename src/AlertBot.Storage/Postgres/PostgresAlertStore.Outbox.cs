using AlertBot.Core.Alerts;
using AlertBot.Core.Persistence;
using AlertBot.Storage.Outbox;
using Dapper;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage.Postgres;

/// <summary>
/// The outbox shared by several instances: claims with a lease (see <see cref="ClaimDueAsync"/>), released when an
/// attempt ends or the store stops.
/// </summary>
public sealed partial class PostgresAlertStore
{
    // Set once this store has claimed anything, so a store that never delivered does not touch the database on dispose.
    private int _hasClaimed;

    // One statement whatever the number of rows.
    private protected override string InsertOutbox => """
        INSERT INTO outbox (channel_id, item_key, payload, created_at, next_attempt_at, kind, story_url, story_title, story_hash, ref_id)
        SELECT a.channel_id, a.item_key, a.payload::json, @At, a.next_attempt_at, a.kind, a.story_url, a.story_title, a.story_hash, a.ref_id
        FROM unnest(@ChannelIds, @ItemKeys, @Payloads, @NextAttemptAts, @Kinds, @StoryUrls, @StoryTitles, @StoryHashes, @RefIds) WITH ORDINALITY
            AS a (channel_id, item_key, payload, next_attempt_at, kind, story_url, story_title, story_hash, ref_id, n)
        ORDER BY a.n
        ON CONFLICT (channel_id, item_key) DO NOTHING
        """;

    private protected override object OutboxRows(IReadOnlyList<NewAlert> alerts, DateTimeOffset at) => OutboxArrays.From(alerts, PostgresTime.ToDb(at));

    /// <summary>New outbox rows as the column arrays <see cref="InsertOutbox"/> unnests.</summary>
    /// <remarks>The next attempt is always a timestamp (the hold's end, else <paramref name="At"/>), so no array of
    /// nullable timestamps leaves its type to inference.</remarks>
    private sealed record OutboxArrays(
        long[] ChannelIds,
        string[] ItemKeys,
        string[] Payloads,
        DateTime[] NextAttemptAts,
        string[] Kinds,
        string?[] StoryUrls,
        string?[] StoryTitles,
        long?[] StoryHashes,
        long?[] RefIds,
        DateTime At)
    {
        public static OutboxArrays From(IReadOnlyList<NewAlert> alerts, DateTime at) => new(
            alerts.Select(a => a.ChannelId).ToArray(),
            alerts.Select(a => a.ItemKey).ToArray(),
            alerts.Select(a => AlertMessageJson.Serialize(a.Message)).ToArray(),
            alerts.Select(a => a.HoldUntil is { } until ? PostgresTime.ToDb(until) : at).ToArray(),
            alerts.Select(a => a.HoldUntil is not null ? OutboxKinds.Held : OutboxKinds.ToText(a.Kind)).ToArray(),
            alerts.Select(a => a.Story?.Url).ToArray(),
            alerts.Select(a => a.Story?.TitleKey).ToArray(),
            alerts.Select(a => a.Story?.SimHash).ToArray(),
            alerts.Select(a => a.RefersTo).ToArray(),
            at);
    }

    /// <summary>
    /// Claims due entries for this instance, under the contract's order rule, so several instances can drain one
    /// outbox without sending an alert twice or out of order.
    /// </summary>
    /// <remarks>
    /// A claim is made per channel: an instance takes a channel's due head entries only when no other instance holds
    /// a live claim on any pending entry of that channel, so two instances never deliver to one channel at once.
    /// First the channels whose oldest pending entry (the head) is due are locked, oldest head first and at most
    /// <paramref name="max"/> of them (the oldest <paramref name="max"/> claimable entries can belong to no others),
    /// FOR NO KEY UPDATE SKIP LOCKED: an instance claiming at the same moment skips them instead of waiting or taking
    /// the same ones, and NO KEY leaves enqueueing, which only needs a key share lock for its foreign key, unblocked.
    /// Then a second statement, whose snapshot is taken after those locks were granted and so sees every claim
    /// committed before, picks the entries and stamps <c>claimed_by</c>/<c>claimed_until</c>. A claim ends when the
    /// attempt is recorded; while the holder records progress on a channel its remaining claims there are renewed; a
    /// crashed holder's claims expire after the lease. This instance's own live claims do not exclude it, so claiming
    /// twice returns the same entries, as on SQLite (one instance runs one delivery job at a time).
    /// </remarks>
    public override async Task<IReadOnlyList<OutboxEntry>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return [];
        }

        var param = new
        {
            Now = PostgresTime.ToDb(now),
            Until = PostgresTime.ToDb(now + _claimLease),
            Me = InstanceId,
            Max = max,
        };
        var rows = await InWriteTransactionAsync<List<OutboxRow>>(
            async (connection, transaction) =>
            {
                var channels = (await connection.QueryAsync<long>(Command(
                    $"""
                    SELECT c.id FROM channels c
                    CROSS JOIN LATERAL (
                        SELECT o.id, o.created_at, o.next_attempt_at FROM outbox o
                        WHERE o.channel_id = c.id AND o.status = 'pending' AND o.kind <> 'held'
                        ORDER BY o.created_at, o.id
                        LIMIT 1) head
                    WHERE c.active AND head.next_attempt_at <= @Now AND {NotHeldByAnother("c.id")}
                    ORDER BY head.created_at, head.id
                    LIMIT @Max
                    FOR NO KEY UPDATE OF c SKIP LOCKED
                    """,
                    param,
                    cancellationToken,
                    transaction))).ToArray();
                if (channels.Length == 0)
                {
                    return [];
                }

                // "Older" is (created_at, id): enqueue order, with the id settling rows of one commit. Held rows wait
                // for a digest and neither go out nor hold others back.
                // status = 'pending' is repeated in the UPDATE so a row closed meanwhile is re-checked and dropped.
                // An update row joins the alert it edits ("r") through due: UPDATE's own join conditions cannot name o.
                var claimed = await connection.QueryAsync<OutboxRow>(Command(
                    $"""
                    WITH due AS (
                        SELECT o.id, o.channel_id, o.kind, o.ref_id FROM outbox o
                        WHERE o.channel_id = ANY(@Channels) AND o.status = 'pending' AND o.kind <> 'held' AND o.next_attempt_at <= @Now
                          AND NOT EXISTS (
                              SELECT 1 FROM outbox w
                              WHERE w.channel_id = o.channel_id AND w.status = 'pending' AND w.kind <> 'held' AND w.next_attempt_at > @Now
                                AND (w.created_at, w.id) < (o.created_at, o.id))
                          AND {NotHeldByAnother("o.channel_id")}
                        ORDER BY o.created_at, o.id
                        LIMIT @Max)
                    UPDATE outbox o SET claimed_by = @Me, claimed_until = @Until
                    FROM due JOIN channels c ON c.id = due.channel_id LEFT JOIN outbox r ON r.id = due.ref_id AND due.kind IN ('update', 'alert')
                    WHERE o.id = due.id AND o.status = 'pending'
                    RETURNING {OutboxRow.Columns}, {OutboxRow.StoryColumns}
                    """,
                    new { param.Now, param.Until, param.Me, param.Max, Channels = channels },
                    cancellationToken,
                    transaction));
                return claimed.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToList();
            },
            cancellationToken);
        if (rows.Count > 0)
        {
            Volatile.Write(ref _hasClaimed, 1);
        }

        return await ToEntriesAsync(rows, now, cancellationToken);
    }

    // No other instance holds a live claim on a pending entry of the channel. (Held rows are never claimed; saying so
    // lets the claim's partial indexes, which leave them out, answer.)
    private static string NotHeldByAnother(string channelId) => $"""
        NOT EXISTS (
            SELECT 1 FROM outbox h
            WHERE h.channel_id = {channelId} AND h.status = 'pending' AND h.kind <> 'held' AND h.claimed_by <> @Me AND h.claimed_until > @Now)
        """;

    private const string NoClaim = "claimed_by = NULL, claimed_until = NULL";

    /// <remarks>Also renews this instance's other claims on the channel: delivering is progress.</remarks>
    public override Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? platformMessageId, CancellationToken cancellationToken) =>
        ExecuteAsync(
            $"""
            WITH done AS (
                UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = @At,
                    platform_message_id = @MessageId, {NoClaim}
                WHERE id = @Id
                RETURNING channel_id)
            UPDATE outbox o SET claimed_until = @Until
            FROM done
            WHERE o.channel_id = done.channel_id AND o.id <> @Id AND o.status = 'pending' AND o.claimed_by = @Me
            """,
            new
            {
                Id = outboxId,
                At = PostgresTime.ToDb(at),
                MessageId = platformMessageId,
                Until = PostgresTime.ToDb(at + _claimLease),
                Me = InstanceId,
            },
            cancellationToken);

    /// <summary>
    /// Gives up this instance's claims on entries not yet attempted, so another instance can deliver them at once
    /// instead of after the lease. Called when the store is disposed (the host is stopping, its jobs have ended).
    /// </summary>
    public Task<int> ReleaseClaimsAsync(CancellationToken cancellationToken) =>
        ExecuteAsync(ReleaseAll, new { Me = InstanceId }, cancellationToken);

    private const string ReleaseAll = $"UPDATE outbox SET {NoClaim} WHERE claimed_by = @Me AND status = 'pending'";

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _hasClaimed, 0) == 1)
        {
            try
            {
                using var connection = _dataSource.OpenConnection();
                connection.Execute(ReleaseAll, new { Me = InstanceId });
            }
            catch (Exception ex)
            {
                LogReleaseFailed(Logger, ex);
            }
        }

        _dataSource.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _hasClaimed, 0) == 1)
        {
            try
            {
                await ReleaseClaimsAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                LogReleaseFailed(Logger, ex);
            }
        }

        await _dataSource.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release this instance's outbox claims; they expire with their lease")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
