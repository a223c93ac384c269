using AlertBot.Core.Watchlists;
using AlertBot.Storage.Watchlists;
using Dapper;

namespace AlertBot.Storage;

/// <summary><see cref="IWatchlistStore"/>: each channel's terms and the version the matcher is built at.</summary>
public abstract partial class DapperAlertStore
{
    // ---- Watchlists --------------------------------------------------------------------------------------------

    public Task<bool> AddWatchTermAsync(long channelId, string text, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cleaned = WatchTermKey.Clean(text);
        return ChangeTermsAsync(
            """
            INSERT INTO watch_terms (channel_id, text, text_key, created_at) VALUES (@ChannelId, @Text, @Key, @CreatedAt)
            ON CONFLICT (channel_id, text_key) DO NOTHING
            """,
            new { ChannelId = channelId, Text = cleaned, Key = WatchTermKey.For(cleaned), CreatedAt = ToDb(now) },
            cancellationToken);
    }

    public Task<bool> RemoveWatchTermAsync(long channelId, string text, CancellationToken cancellationToken) =>
        ChangeTermsAsync(
            "DELETE FROM watch_terms WHERE channel_id = @ChannelId AND text_key = @Key",
            new { ChannelId = channelId, Key = WatchTermKey.For(WatchTermKey.Clean(text)) },
            cancellationToken);

    public Task<IReadOnlyList<WatchTerm>> ListWatchTermsAsync(long channelId, CancellationToken cancellationToken) =>
        QueryWatchTermsAsync("WHERE t.channel_id = @ChannelId", new { ChannelId = channelId }, cancellationToken);

    public Task<IReadOnlyList<WatchTerm>> ListAllWatchTermsAsync(CancellationToken cancellationToken) =>
        QueryWatchTermsAsync("", null, cancellationToken);

    public Task<long> GetWatchlistVersionAsync(CancellationToken cancellationToken) =>
        ScalarAsync<long>("SELECT value FROM counters WHERE name = 'watchlist_version'", null, cancellationToken);

    /// <summary>One term change and, only when it changed a row, the version bump, in one transaction.</summary>
    private Task<bool> ChangeTermsAsync(string sql, object param, CancellationToken cancellationToken) =>
        InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                if (await connection.ExecuteAsync(Command(sql, param, cancellationToken, transaction)) == 0)
                {
                    return false;
                }

                await connection.ExecuteAsync(Command(
                    "UPDATE counters SET value = value + 1 WHERE name = 'watchlist_version'", null, cancellationToken, transaction));
                return true;
            },
            cancellationToken);

    private Task<IReadOnlyList<WatchTerm>> QueryWatchTermsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<WatchTermRow, WatchTerm>(
            $"SELECT {WatchTermRow.Columns} FROM watch_terms t {where} ORDER BY t.channel_id, t.id", param, r => r.ToRecord(), cancellationToken);
}
