using System.Text.Json;
using AlertBot.Core.Actions;
using AlertBot.Core.Persistence;
using AlertBot.Storage.Outbox;
using Dapper;

namespace AlertBot.Storage;

/// <summary>
/// <see cref="IAlertActionStore"/> (migration 0007) in SQL both providers speak: the buttons' mutes, the escalation
/// settings and the hourly term counts.
/// </summary>
public abstract partial class DapperAlertStore : IAlertActionStore
{
    public async Task<AlertRef?> GetAlertAsync(long outboxId, CancellationToken cancellationToken)
    {
        var row = (await QueryAsync<AlertRefRow>(
            """
            SELECT o.id AS OutboxId, o.channel_id AS ChannelId, o.payload AS Payload, o.created_at AS CreatedAt, o.kind AS Kind,
                   o.platform_message_id AS PlatformMessageId
            FROM outbox o WHERE o.id = @Id AND o.kind IN ('alert', 'held')
            """,
            new { Id = outboxId },
            cancellationToken)).SingleOrDefault();
        if (row is null)
        {
            return null;
        }

        try
        {
            return new AlertRef(row.OutboxId, row.ChannelId, AlertMessageJson.Deserialize(row.Payload), StoredTime.Read(row.CreatedAt),
                row.Kind == OutboxKinds.Held, row.PlatformMessageId);
        }
        catch (JsonException)
        {
            return null; // nothing a button could act on
        }
    }

    public async Task<bool> MuteStoryAsync(long channelId, long outboxId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            """
            INSERT INTO story_mutes (channel_id, outbox_id, muted_at) VALUES (@ChannelId, @OutboxId, @At)
            ON CONFLICT (channel_id, outbox_id) DO NOTHING
            """,
            new { ChannelId = channelId, OutboxId = outboxId, At = ToDb(at) },
            cancellationToken) > 0;

    public async Task<IReadOnlySet<long>> FindMutedStoriesAsync(IReadOnlyCollection<long> outboxIds, CancellationToken cancellationToken)
    {
        if (outboxIds.Count == 0)
        {
            return new HashSet<long>();
        }

        // A handful of ids per poll (the stories updated by it): one equality each, in SQL both providers speak.
        var muted = new HashSet<long>();
        foreach (var id in outboxIds)
        {
            if (await ScalarAsync<long>("SELECT count(*) FROM story_mutes WHERE outbox_id = @Id", new { Id = id }, cancellationToken) > 0)
            {
                muted.Add(id);
            }
        }

        return muted;
    }

    public Task MuteTermAsync(long channelId, string term, DateTimeOffset until, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO term_mutes (channel_id, term_key, term, until) VALUES (@ChannelId, @Key, @Term, @Until)
            ON CONFLICT (channel_id, term_key) DO UPDATE SET term = excluded.term, until = excluded.until
            """,
            new { ChannelId = channelId, Key = TermKey(term), Term = term.Trim(), Until = ToDb(until) },
            cancellationToken);

    public async Task<IReadOnlyList<TermMute>> ListTermMutesAsync(IReadOnlyCollection<long> channelIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var mutes = new List<TermMute>();
        foreach (var channelId in channelIds.Distinct())
        {
            var rows = await QueryAsync<TermMuteRow>(
                "SELECT channel_id AS ChannelId, term AS Term, until AS Until FROM term_mutes WHERE channel_id = @ChannelId AND until > @Now",
                new { ChannelId = channelId, Now = ToDb(now) },
                cancellationToken);
            mutes.AddRange(rows.Select(r => new TermMute(r.ChannelId, r.Term, StoredTime.Read(r.Until))));
        }

        return mutes;
    }

    public async Task<IReadOnlyDictionary<long, EscalationSettings>> GetEscalationAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<long, EscalationSettings>();
        foreach (var channelId in channelIds.Distinct())
        {
            var row = (await QueryAsync<EscalationRow>(
                """
                SELECT channel_id AS ChannelId, enabled AS Enabled, outlets AS Outlets, window_minutes AS WindowMinutes, role_id AS RoleId
                FROM escalation_settings WHERE channel_id = @ChannelId
                """,
                new { ChannelId = channelId },
                cancellationToken)).SingleOrDefault();
            if (row is not null)
            {
                settings[channelId] = new EscalationSettings(row.Enabled != 0, checked((int)row.Outlets), TimeSpan.FromMinutes(row.WindowMinutes), row.RoleId);
            }
        }

        return settings;
    }

    public Task SetEscalationAsync(long channelId, EscalationSettings settings, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO escalation_settings (channel_id, enabled, outlets, window_minutes, role_id)
            VALUES (@ChannelId, @Enabled, @Outlets, @WindowMinutes, @RoleId)
            ON CONFLICT (channel_id) DO UPDATE SET enabled = excluded.enabled, outlets = excluded.outlets,
                window_minutes = excluded.window_minutes, role_id = excluded.role_id
            """,
            new
            {
                ChannelId = channelId,
                Enabled = settings.Enabled ? 1 : 0,
                settings.Outlets,
                WindowMinutes = (int)Math.Round(settings.Window.TotalMinutes),
                settings.RoleId,
            },
            cancellationToken);

    public async Task<IReadOnlyList<TermHourCount>> ListTermCountsAsync(long channelId, DateTimeOffset since, CancellationToken cancellationToken) =>
        (await QueryAsync<TermCountRow>(
            """
            SELECT channel_id AS ChannelId, term AS Term, hour AS Hour, count AS Count FROM term_counts
            WHERE channel_id = @ChannelId AND hour >= @Since ORDER BY hour, term_key
            """,
            new { ChannelId = channelId, Since = ToDb(since) },
            cancellationToken))
        .Select(r => new TermHourCount(r.ChannelId, r.Term, StoredTime.Read(r.Hour), checked((int)r.Count)))
        .ToList();

    public Task<int> PruneActionsAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                var at = new { Before = ToDb(before) };
                return await connection.ExecuteAsync(Command("DELETE FROM term_counts WHERE hour < @Before", at, cancellationToken, transaction))
                    + await connection.ExecuteAsync(Command("DELETE FROM story_mutes WHERE muted_at < @Before", at, cancellationToken, transaction))
                    + await connection.ExecuteAsync(Command("DELETE FROM term_mutes WHERE until < @Before", at, cancellationToken, transaction));
            },
            cancellationToken);

    /// <summary>Inside the poll's transaction: adds the poll's matches to the hourly term counts.</summary>
    private protected async Task RecordTermHitsAsync(
        System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, PollCommit commit, CancellationToken cancellationToken)
    {
        if (commit.TermHits.Count == 0)
        {
            return;
        }

        await connection.ExecuteAsync(Command(
            """
            INSERT INTO term_counts (channel_id, term_key, term, hour, count) VALUES (@ChannelId, @Key, @Term, @Hour, @Count)
            ON CONFLICT (channel_id, term_key, hour) DO UPDATE SET count = term_counts.count + excluded.count
            """,
            commit.TermHits
                .OrderBy(h => h.ChannelId).ThenBy(h => TermKey(h.Term), StringComparer.Ordinal)
                .Select(h => new { h.ChannelId, Key = TermKey(h.Term), Term = h.Term.Trim(), Hour = ToDb(h.Hour), h.Count })
                .ToList(),
            cancellationToken,
            transaction));
    }

    private static string TermKey(string term) => term.Trim().ToLowerInvariant();

    private sealed class AlertRefRow
    {
        public long OutboxId { get; set; }
        public long ChannelId { get; set; }
        public string Payload { get; set; } = "";
        public object CreatedAt { get; set; } = "";
        public string Kind { get; set; } = "";
        public string? PlatformMessageId { get; set; }
    }

    private sealed class TermMuteRow
    {
        public long ChannelId { get; set; }
        public string Term { get; set; } = "";
        public object Until { get; set; } = "";
    }

    private sealed class EscalationRow
    {
        public long ChannelId { get; set; }
        public long Enabled { get; set; }
        public long Outlets { get; set; }
        public long WindowMinutes { get; set; }
        public string? RoleId { get; set; }
    }

    private sealed class TermCountRow
    {
        public long ChannelId { get; set; }
        public string Term { get; set; } = "";
        public object Hour { get; set; } = "";
        public long Count { get; set; }
    }
}
