using System.Collections.Concurrent;
using AlertBot.Core.Diagnostics;
using AlertBot.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Matching;

/// <summary>
/// Tells of regex terms that ran out of their time budget (<see cref="ItemMatches.TimedOut"/>): every time-out is
/// counted in <c>alertbot.matching.regex_timeouts</c>, and each term is logged at most once per <see cref="Period"/>
/// with the number of time-outs since, so a term that keeps timing out on a busy feed cannot flood the log.
/// </summary>
public sealed partial class RegexTimeoutReporter(
    AlertBotMetrics metrics, TimeProvider time, IOptions<MatchingOptions> options, ILogger<RegexTimeoutReporter> logger)
{
    public static readonly TimeSpan Period = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Tally> _terms = new(StringComparer.Ordinal);

    /// <param name="regexes">The regexes that timed out on one item.</param>
    /// <param name="where">What was being matched, for the log line (e.g. the feed).</param>
    public void Report(IReadOnlyList<string> regexes, string where)
    {
        if (regexes.Count == 0)
        {
            return;
        }

        metrics.RegexTimedOut(regexes.Count);
        var now = time.GetUtcNow();
        foreach (var regex in regexes)
        {
            var tally = _terms.GetOrAdd(regex, _ => new Tally());
            int count;
            lock (tally)
            {
                tally.Count++;
                if (tally.LoggedAt is { } last && now - last < Period)
                {
                    continue;
                }

                (count, tally.Count, tally.LoggedAt) = (tally.Count, 0, now);
            }

            LogTimedOut(regex, options.Value.RegexTimeout, where, count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Regex term {Regex} ran out of its {Budget} time budget on an item of {Where}; the item stays unseen and is matched " +
                  "again at the next poll ({Count} time-out(s) of this term since it was last logged; raise AlertBot:Matching:RegexTimeout " +
                  "if the machine is overloaded)")]
    private partial void LogTimedOut(string regex, TimeSpan budget, string where, int count);

    private sealed class Tally
    {
        public int Count { get; set; }

        public DateTimeOffset? LoggedAt { get; set; }
    }
}
