using AlertBot.Core.Summaries;

namespace AlertBot.Core.Stories;

/// <summary>How an alert changes when more outlets carry its story, and how that is said where a message cannot be edited.</summary>
public static class StoryMessages
{
    /// <summary>How many outlets an "also:" line names before it counts the rest.</summary>
    public const int MaxNamedSources = 12;

    /// <summary>The alert with <paramref name="source"/> added to its other outlets; unchanged when it already names it.</summary>
    public static AlertMessage WithSource(AlertMessage message, AlertSource source)
    {
        if (string.Equals(message.Source, source.Name, StringComparison.OrdinalIgnoreCase) ||
            message.AlsoSources.Any(s => string.Equals(s.Name, source.Name, StringComparison.OrdinalIgnoreCase)))
        {
            return message;
        }

        return message with { AlsoSources = [.. message.AlsoSources, source] };
    }

    /// <summary><c>also: Outlet B, Outlet C</c>, or empty when no other outlet carried the story.</summary>
    public static string AlsoLine(AlertMessage message) => AlsoLine(message.AlsoSources.Select(s => s.Name).ToList());

    public static string AlsoLine(IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            return "";
        }

        var shown = string.Join(", ", names.Take(MaxNamedSources));
        return names.Count > MaxNamedSources ? $"also: {shown} and {names.Count - MaxNamedSources} more" : $"also: {shown}";
    }

    /// <summary>
    /// The compact message sent when the posted alert cannot be edited: the title (linked) and who else carried it.
    /// </summary>
    public static AlertMessage FollowUp(AlertMessage message) => new()
    {
        Title = message.Title,
        Link = message.Link,
        Source = AlsoLine(message) is { Length: > 0 } also ? also : message.Source,
        PublishedAt = null,
    };
}
