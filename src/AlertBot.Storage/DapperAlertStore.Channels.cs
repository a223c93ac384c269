using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using Dapper;
using Microsoft.Extensions.Logging;

namespace AlertBot.Storage;

/// <summary><see cref="IChannelStore"/>: chats and channels, and which feeds each reads.</summary>
public abstract partial class DapperAlertStore
{
    // ---- Channels ----------------------------------------------------------------------------------------------

    public async Task<Channel> EnsureChannelAsync(ChannelRef channel, string? title, DateTimeOffset now, CancellationToken cancellationToken)
    {
        CheckRef(channel);
        var id = await ScalarAsync<long>(
            """
            INSERT INTO channels (platform, external_id, title, created_at) VALUES (@Platform, @ExternalId, @Title, @CreatedAt)
            ON CONFLICT (platform, external_id) DO UPDATE SET title = coalesce(excluded.title, channels.title)
            RETURNING id
            """,
            new { channel.Platform, channel.ExternalId, Title = title, CreatedAt = ToDb(now) },
            cancellationToken);
        return (await QueryChannelsAsync("WHERE c.id = @Id", new { Id = id }, cancellationToken))[0];
    }

    public async Task<Channel?> GetChannelAsync(ChannelRef channel, CancellationToken cancellationToken) =>
        (await QueryChannelsAsync(
            "WHERE c.platform = @Platform AND c.external_id = @ExternalId",
            new { channel.Platform, channel.ExternalId },
            cancellationToken)).SingleOrDefault();

    public async Task<Channel?> GetChannelByIdAsync(long channelId, CancellationToken cancellationToken) =>
        (await QueryChannelsAsync("WHERE c.id = @Id", new { Id = channelId }, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<Channel>> ListChannelsAsync(CancellationToken cancellationToken) =>
        QueryChannelsAsync("", null, cancellationToken);

    public Task SetChannelActiveAsync(long channelId, bool active, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE channels SET active = @Active WHERE id = @Id", new { Id = channelId, Active = active }, cancellationToken);

    public Task SetChannelPausedAsync(long channelId, bool paused, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE channels SET paused = @Paused WHERE id = @Id", new { Id = channelId, Paused = paused }, cancellationToken);

    /// <remarks>
    /// When the new id is already stored as another channel (someone used the bot in the new chat before the platform
    /// reported the move), that channel is folded into this one: its feeds, terms and queued alerts join this channel
    /// (an item this channel already has is dropped), then it is deleted. Otherwise every later alert would hit the
    /// same conflict, and the user's settings in the old chat would be lost. Both rows are read (and, where the
    /// database needs it, locked) first, so a concurrent claim or move cannot interleave.
    /// </remarks>
    public Task MoveChannelAsync(long channelId, ChannelRef newRef, CancellationToken cancellationToken)
    {
        CheckRef(newRef);
        return InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                var ids = new { Id = channelId, newRef.Platform, newRef.ExternalId };
                var rows = (await connection.QueryAsync<long>(Command(
                    $"""
                    SELECT id FROM channels
                    WHERE id = @Id OR (platform = @Platform AND external_id = @ExternalId)
                    ORDER BY id
                    {LockRows}
                    """,
                    ids,
                    cancellationToken,
                    transaction))).ToList();
                if (!rows.Contains(channelId))
                {
                    return false;
                }

                if (rows.Where(id => id != channelId).Cast<long?>().SingleOrDefault() is { } otherId)
                {
                    await connection.ExecuteAsync(Command(MergeChannel, new { Id = channelId, Other = otherId }, cancellationToken, transaction));
                    LogChannelMerged(Logger, otherId, channelId, newRef);
                }

                await connection.ExecuteAsync(Command(
                    "UPDATE channels SET platform = @Platform, external_id = @ExternalId WHERE id = @Id", ids, cancellationToken, transaction));
                return true;
            },
            cancellationToken);
    }

    // Folds channel @Other into @Id; the term change bumps the watchlist version because the matcher's owners change.
    // The moving channel's own settings (digest mode, pause, its terms' priority) win; terms only @Other had keep theirs.
    private const string MergeChannel = """
        INSERT INTO channel_feeds (channel_id, feed_id) SELECT @Id, feed_id FROM channel_feeds WHERE channel_id = @Other
        ON CONFLICT DO NOTHING;
        INSERT INTO watch_terms (channel_id, text, text_key, created_at, priority)
        SELECT @Id, text, text_key, created_at, priority FROM watch_terms WHERE channel_id = @Other ORDER BY id
        ON CONFLICT DO NOTHING;
        UPDATE counters SET value = value + 1
        WHERE name = 'watchlist_version' AND EXISTS (SELECT 1 FROM watch_terms WHERE channel_id = @Other);
        UPDATE outbox SET channel_id = @Id
        WHERE channel_id = @Other AND item_key NOT IN (SELECT item_key FROM outbox WHERE channel_id = @Id);
        UPDATE channels SET title = coalesce(title, (SELECT title FROM channels WHERE id = @Other)) WHERE id = @Id;
        DELETE FROM channels WHERE id = @Other;
        """;

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {OtherId} already held {NewRef}; folded into channel {ChannelId} as it moved there")]
    private static partial void LogChannelMerged(ILogger logger, long otherId, long channelId, ChannelRef newRef);

    private Task<IReadOnlyList<Channel>> QueryChannelsAsync(string where, object? param, CancellationToken cancellationToken) =>
        QueryRecordsAsync<ChannelRow, Channel>(
            $"SELECT {ChannelRow.Columns} FROM channels c {where} ORDER BY c.id", param, r => r.ToRecord(), cancellationToken);

    private static void CheckRef(ChannelRef channel)
    {
        if (string.IsNullOrWhiteSpace(channel.Platform) || string.IsNullOrWhiteSpace(channel.ExternalId))
        {
            throw new ArgumentException($"A channel needs a platform and an id (got '{channel}').", nameof(channel));
        }
    }

    // ---- Which channel reads which feed ------------------------------------------------------------------------

    public async Task<bool> AttachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            "INSERT INTO channel_feeds (channel_id, feed_id) VALUES (@ChannelId, @FeedId) ON CONFLICT DO NOTHING",
            new { ChannelId = channelId, FeedId = feedId },
            cancellationToken) > 0;

    public async Task<bool> DetachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            "DELETE FROM channel_feeds WHERE channel_id = @ChannelId AND feed_id = @FeedId",
            new { ChannelId = channelId, FeedId = feedId },
            cancellationToken) > 0;

    public Task<IReadOnlyList<FeedRecord>> ListChannelFeedsAsync(long channelId, CancellationToken cancellationToken) =>
        QueryFeedsAsync(
            "WHERE f.id IN (SELECT feed_id FROM channel_feeds WHERE channel_id = @ChannelId)",
            new { ChannelId = channelId },
            cancellationToken);

    // The flags read as booleans on both databases (SQLite's are 0/1 integers).
    public Task<IReadOnlyList<long>> ListDeliverableSubscribersAsync(long feedId, CancellationToken cancellationToken) =>
        QueryAsync<long>(
            """
            SELECT c.id FROM channel_feeds cf JOIN channels c ON c.id = cf.channel_id
            WHERE cf.feed_id = @FeedId AND c.active AND NOT c.paused AND cf.paused_at IS NULL
            ORDER BY c.id
            """,
            new { FeedId = feedId },
            cancellationToken);
}
