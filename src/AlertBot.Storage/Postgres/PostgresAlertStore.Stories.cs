using System.Data.Common;
using AlertBot.Core.Stories;
using Dapper;

namespace AlertBot.Storage.Postgres;

/// <summary>PostgreSQL's side of the story SQL: the probes as four arrays, and locks shared by every instance.</summary>
public sealed partial class PostgresAlertStore
{
    private string? _schema;

    private protected override string ProbeRows => "unnest(@Channels, @Urls, @Titles, @Hashes) AS p (channel_id, url, title, hash)";

    private protected override object ProbeParameters(IReadOnlyList<StoryProbe> probes) => new
    {
        Channels = probes.Select(p => p.ChannelId).ToArray(),
        Urls = probes.Select(p => p.Story.Url).ToArray(),
        Titles = probes.Select(p => p.Story.TitleKey.Length == 0 ? null : p.Story.TitleKey).ToArray(),
        Hashes = probes.Select(p => p.Story.SimHash).ToArray(),
    };

    /// <remarks>
    /// Transaction advisory locks per channel, so two instances polling two feeds of one story at once queue, and the
    /// second finds the first's alert. One connection holds a transaction with <c>pg_advisory_xact_lock</c> on a key
    /// per channel (and schema), taken in key order so overlapping sets queue instead of deadlocking; disposing rolls it
    /// back, which releases them. If the instance dies the session ends and the locks go with it. The plan's reads and
    /// the commit run on other pooled connections: the commit is visible before the locks are released.
    /// </remarks>
    public override async Task<IAsyncDisposable> LockStoriesAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken)
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
}
