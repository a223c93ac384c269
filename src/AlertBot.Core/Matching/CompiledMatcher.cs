using AlertBot.Core.Items;
using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Matching;

/// <summary>
/// Every channel's watch terms compiled into one matcher: matching an item costs time in the length of its text,
/// not in the number of terms. Immutable and thread-safe once built.
/// </summary>
public sealed class CompiledMatcher
{
    // PLACEHOLDER CONTRACT: the Matching work replaces the bodies below; the public surface stays.
    private CompiledMatcher()
    {
    }

    public static CompiledMatcher Build(IEnumerable<MatchRule> rules, ActorDictionary actors) =>
        throw new NotImplementedException($"{rules}{actors}");

    public ItemMatches Match(NewsItem item) => throw new NotImplementedException(item.Id);
}
