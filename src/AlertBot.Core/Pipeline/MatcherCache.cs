using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Pipeline;

/// <summary>
/// Holds the one matcher compiled from every channel's terms, and rebuilds it only when the store's watchlist
/// version has moved (a term was added or removed somewhere).
/// </summary>
public sealed class MatcherCache(IAlertStore store, ActorDictionary actors)
{
    // Two polls that see a new version at once may both rebuild; the result is the same and the last one wins.
    private volatile Snapshot? _current;

    public ActorDictionary Actors => actors;

    public async Task<CompiledMatcher> GetAsync(CancellationToken cancellationToken)
    {
        var version = await store.GetWatchlistVersionAsync(cancellationToken);
        if (_current is { } cached && cached.Version == version)
        {
            return cached.Matcher;
        }

        var terms = await store.ListAllWatchTermsAsync(cancellationToken);
        var matcher = CompiledMatcher.Build(terms.Select(t => new MatchRule(t.ChannelId, t.Text)), actors);
        _current = new Snapshot(version, matcher);
        return matcher;
    }

    private sealed record Snapshot(long Version, CompiledMatcher Matcher);
}
