using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Pipeline;

/// <summary>
/// Holds the one matcher compiled from every channel's terms, and rebuilds it only when the store's watchlist
/// version has moved (a term was added or removed somewhere).
/// </summary>
public sealed partial class MatcherCache(IWatchlistStore watchlists, ActorDictionary actors, IOptions<MatchingOptions> options, ILogger<MatcherCache> logger)
{
    // Two polls that see a new version at once may both rebuild; the result is the same and the last one wins.
    private volatile Snapshot? _current;

    public ActorDictionary Actors => actors;

    public async Task<CompiledMatcher> GetAsync(CancellationToken cancellationToken)
    {
        var version = await watchlists.GetWatchlistVersionAsync(cancellationToken);
        if (_current is { } cached && cached.Version == version)
        {
            return cached.Matcher;
        }

        var terms = await watchlists.ListAllWatchTermsAsync(cancellationToken);
        var matcher = CompiledMatcher.Build(
            terms.Select(t => new MatchRule(t.ChannelId, t.Text)), actors, out var faults, options.Value.RegexTimeout);
        foreach (var fault in faults)
        {
            // A term stored before the query language (or edited in the database) that no longer parses: skipped, not fatal.
            LogRuleSkipped(fault.Rule.OwnerId, fault.Rule.Term, fault.Error);
        }

        _current = new Snapshot(version, matcher);
        return matcher;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch term {Term} of channel {ChannelId} is skipped: {Error}")]
    private partial void LogRuleSkipped(long channelId, string term, string error);

    private sealed record Snapshot(long Version, CompiledMatcher Matcher);
}
