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

    public static JobKey KeyFor(long feedId) => new($"feed-{feedId.ToString(CultureInfo.InvariantCulture)}", Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (context.MergedJobDataMap.TryGetValue(FeedIdKey, out var value) && value is not null)
        {
            await polls.PollAsync(Convert.ToInt64(value, CultureInfo.InvariantCulture), cancellationToken);
        }
    }
}
