using System.Globalization;
using AlertBot.Core.Persistence;

namespace AlertBot.Storage;

/// <summary><see cref="IFeedStore.GetScheduleVersionAsync"/>: one aggregate over the feeds table, nothing read out.</summary>
public abstract partial class DapperAlertStore
{
    public async Task<string> GetScheduleVersionAsync(CancellationToken cancellationToken)
    {
        // Count, highest id, id sum, interval sum and which feeds have their own interval: an added, removed or
        // re-timed feed changes at least one. (SQLite's rowid may reuse a deleted highest id; the feed in its place
        // then keeps the schedule entry, which polls whatever feed has that id.)
        var row = (await QueryAsync<ScheduleVersionRow>(
            """
            SELECT CAST(count(*) AS bigint) AS Feeds, CAST(COALESCE(max(id), 0) AS bigint) AS MaxId,
                   CAST(COALESCE(sum(id), 0) AS bigint) AS IdSum, CAST(COALESCE(sum(interval_ms), 0) AS bigint) AS IntervalSum,
                   CAST(COALESCE(sum(CASE WHEN interval_explicit THEN id ELSE 0 END), 0) AS bigint) AS ExplicitSum
            FROM feeds
            """,
            null,
            cancellationToken)).Single();
        return string.Create(CultureInfo.InvariantCulture, $"{row.Feeds}:{row.MaxId}:{row.IdSum}:{row.IntervalSum}:{row.ExplicitSum}");
    }

    private sealed class ScheduleVersionRow
    {
        public long Feeds { get; set; }
        public long MaxId { get; set; }
        public long IdSum { get; set; }
        public long IntervalSum { get; set; }
        public long ExplicitSum { get; set; }
    }
}
