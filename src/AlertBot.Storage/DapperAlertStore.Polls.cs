using System.Data.Common;
using AlertBot.Core.Persistence;
using AlertBot.Storage.Outbox;
using Dapper;

namespace AlertBot.Storage;

/// <summary>
/// <see cref="IPollStore"/>: which items each feed has seen, and each poll's outcome. A poll's commit is one
/// transaction: seen keys, alerts, story updates, validators and term counts together.
/// </summary>
public abstract partial class DapperAlertStore
{
    /// <summary>
    /// A seen item's "last listed" time is rewritten only when it is older than this: a feed polled every few minutes
    /// rewrites each of its items about once an hour, not on every poll. Retention's margin follows from it.
    /// </summary>
    private protected static readonly TimeSpan SeenRefresh = TimeSpan.FromHours(1);

    public async Task<IReadOnlySet<string>> FindSeenAsync(long feedId, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken)
    {
        if (itemKeys.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        // One list parameter instead of one parameter per key: no limit on how many keys a feed page has.
        var seen = await QueryAsync<string>(
            $"SELECT item_key FROM seen_items WHERE feed_id = @FeedId AND {AnyOf("item_key", "@Keys")}",
            new { FeedId = feedId, Keys = ToDbList(itemKeys) },
            cancellationToken);
        return seen.ToHashSet(StringComparer.Ordinal);
    }

    public Task<PollCommitResult> CommitPollAsync(PollCommit commit, CancellationToken cancellationToken)
    {
        var at = ToDb(commit.At);

        // Serialised before the transaction opens, so the write lock is held for SQL only. Keys, listed keys and
        // updates go in sorted order, so two instances committing overlapping rows lock them in one order and queue
        // up instead of deadlocking.
        var keys = commit.SeenKeys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var listed = (commit.ListedKeys ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var alerts = commit.Alerts.Count == 0 ? null : OutboxRows(commit.Alerts, commit.At);
        var updates = commit.Updates
            .Select(u => new StoryUpdateRow(u.OriginalOutboxId, u.ChannelId, $"update:{u.OriginalOutboxId}:{u.ItemKey}", AlertMessageJson.Serialize(u.Message), at))
            .OrderBy(u => u.OriginalId)
            .ToList();

        return InWriteTransactionAsync(
            async (connection, transaction) =>
            {
                // ON CONFLICT names the one constraint to tolerate, so NOT NULL, CHECK and foreign key violations
                // still fail the commit (INSERT OR IGNORE would swallow them). One statement however many keys.
                var marked = keys.Count == 0 ? 0 : await connection.ExecuteAsync(Command(
                    $"""
                    INSERT INTO seen_items (feed_id, item_key, first_seen_at, last_seen_at)
                    SELECT @FeedId, value, @At, @At FROM {ValuesOf("@Keys")} WHERE true ORDER BY value
                    ON CONFLICT (feed_id, item_key) DO NOTHING
                    """,
                    new { commit.FeedId, Keys = ToDbList(keys), At = at },
                    cancellationToken,
                    transaction));

                // Items the feed still lists stay "seen now" for retention; rewritten at most once per SeenRefresh.
                if (listed.Count > 0)
                {
                    await connection.ExecuteAsync(Command(
                        $"""
                        UPDATE seen_items SET last_seen_at = @At
                        WHERE feed_id = @FeedId AND {AnyOf("item_key", "@Listed")} AND last_seen_at < @Floor
                        """,
                        new { commit.FeedId, Listed = ToDbList(listed), At = at, Floor = ToDb(SeenFloor(commit.At)) },
                        cancellationToken,
                        transaction));
                }

                var enqueued = alerts is null ? 0 : await connection.ExecuteAsync(Command(InsertOutbox, alerts, cancellationToken, transaction));
                foreach (var update in updates)
                {
                    await ApplyStoryUpdateAsync(connection, transaction, update, cancellationToken);
                }

                await RecordPollCommittedAsync(connection, transaction, commit, cancellationToken);
                return new PollCommitResult(marked, enqueued);
            },
            cancellationToken);
    }

    public Task RecordFeedFailureAsync(long feedId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE feeds SET last_error = @Reason, consecutive_failures = consecutive_failures + 1, last_polled_at = @At
            WHERE id = @Id
            """,
            new { Id = feedId, Reason = reason, At = ToDb(at) },
            cancellationToken);

    public Task RecordFeedNotModifiedAsync(long feedId, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE feeds SET last_error = NULL, consecutive_failures = 0, last_polled_at = @At, last_success_at = @At
            WHERE id = @Id
            """,
            new { Id = feedId, At = ToDb(at) },
            cancellationToken);

    /// <summary>The end of a committed poll, inside its transaction: new validators, no error, baseline done.</summary>
    /// <exception cref="KeyNotFoundException">The feed does not exist; the caller's transaction must not commit.</exception>
    private async Task RecordPollCommittedAsync(
        DbConnection connection, DbTransaction transaction, PollCommit commit, CancellationToken cancellationToken)
    {
        // The floor moves only when the commit says what the document listed (see SeenFloor).
        var floor = commit.ListedKeys is null ? "seen_floor" : "@Floor";
        var feeds = await connection.ExecuteAsync(Command(
            $"""
            UPDATE feeds SET etag = @ETag, last_modified = @LastModified, last_error = NULL, consecutive_failures = 0,
                baseline_done = @Done, last_success_at = @At, last_polled_at = @At, seen_floor = {floor}
            WHERE id = @FeedId
            """,
            new { commit.FeedId, commit.Validators.ETag, commit.Validators.LastModified, At = ToDb(commit.At), Done = true, Floor = ToDb(SeenFloor(commit.At)) },
            cancellationToken,
            transaction));
        if (feeds == 0)
        {
            throw new KeyNotFoundException($"Feed {commit.FeedId} does not exist; the poll was not committed.");
        }

        await RecordTermHitsAsync(connection, transaction, commit, cancellationToken);
    }

    /// <summary>
    /// After a commit at <paramref name="at"/> that refreshed every listed item last seen before this, each listed item
    /// was last seen at or after it; an item below it was not listed.
    /// </summary>
    private protected static DateTimeOffset SeenFloor(DateTimeOffset at) => at - SeenRefresh;
}
