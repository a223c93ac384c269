using System.Globalization;
using AlertBot.Core.Pipeline;
using Quartz;

namespace AlertBot.Worker.Scheduling;

/// <summary>One feed's poll; two polls of the same feed never overlap.</summary>
[DisallowConcurrentExecution]
public sealed class PollFeedJob(PollService polls) : IJob
{
    public const string FeedIdKey = "feedId";
    public const string Group = "feeds";

    private const string NamePrefix = "feed-";

    public static JobKey KeyFor(long feedId) => new(NamePrefix + feedId.ToString(CultureInfo.InvariantCulture), Group);

    /// <summary>The feed a poll job's key names, or null for a key this class did not make.</summary>
    public static long? FeedIdOf(JobKey key) =>
        key.Group == Group && key.Name.StartsWith(NamePrefix, StringComparison.Ordinal) &&
        long.TryParse(key.Name.AsSpan(NamePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (context.MergedJobDataMap.TryGetValue(FeedIdKey, out var value) && value is not null)
        {
            await polls.PollAsync(Convert.ToInt64(value, CultureInfo.InvariantCulture), cancellationToken);
        }
    }
}
