using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using Microsoft.Extensions.Options;
using static AlertBot.Core.Commands.Replies;

namespace AlertBot.Core.Commands;

/// <summary>A feed's health in one line, as /feeds list, /status and the CLI's feed list show it.</summary>
public sealed class FeedHealth(IOptions<PollingOptions> polling)
{
    public string Describe(FeedRecord feed)
    {
        if (feed.LastPolledAt is null)
        {
            return "never polled yet";
        }

        if (feed.ConsecutiveFailures > 0 || feed.LastError is not null)
        {
            // The store keeps the last success, not the first failure: failing since then is what we can say for sure.
            var since = feed.LastSuccessAt is { } ok ? $"the last success at {Stamp(ok)}" : $"it was added at {Stamp(feed.CreatedAt)}";
            var paused = feed.ConsecutiveFailures >= polling.Value.MaxConsecutiveFailures
                ? $"; paused, tried again every {Replies.Describe(polling.Value.PausedRetryInterval)}"
                : "";
            return $"failing since {since} ({Plural(Math.Max(1, feed.ConsecutiveFailures), "failed poll")} in a row{paused}); last error: {Shown(feed.LastError ?? "unknown")}";
        }

        return $"ok (last poll {Stamp(feed.LastPolledAt.Value)})";
    }
}
