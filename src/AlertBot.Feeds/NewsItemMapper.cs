using AlertBot.Core.Items;
using AlertBot.Feeds.Parsing;
using AlertBot.Feeds.Text;

namespace AlertBot.Feeds;

/// <summary>Flattens a parsed feed into Core's plain-text <see cref="NewsItem"/>s.</summary>
public sealed class NewsItemMapper
{
    private readonly HtmlText html = new();

    public IReadOnlyList<NewsItem> Map(ParsedFeed feed)
    {
        var sourceName = feed.Title is { } t ? ToText(t, singleLine: true) : "";
        var items = new List<NewsItem>(feed.Entries.Count);
        foreach (var entry in feed.Entries)
        {
            var title = entry.Title is { } title0 ? ToText(title0, singleLine: true) : "";
            var body = entry.Content ?? entry.Summary;
            var text = body is null ? "" : ToText(body, singleLine: false);
            if (text.Length == 0 && entry.Summary is { } summary && body != summary)
            {
                text = ToText(summary, singleLine: false);
            }

            if (title.Length == 0 && text.Length == 0 && entry.Link is null)
            {
                continue; // nothing a reader could recognise or follow
            }

            var id = !string.IsNullOrWhiteSpace(entry.Id) ? entry.Id! : entry.Link ?? "";
            items.Add(new NewsItem
            {
                Id = id,
                Link = entry.Link,
                Title = title,
                Text = text,
                Author = entry.Author?.Name ?? entry.Author?.Email,
                // dc:date and Atom's updated are, for most feeds, the only date there is: use it as the publication date.
                Published = entry.Published ?? entry.Updated,
                Updated = entry.Updated,
                SourceName = sourceName,
            });
        }

        return items;
    }

    private string ToText(FeedText text, bool singleLine)
    {
        if (text.IsPlain)
        {
            return HtmlText.Plain(text.Value, singleLine);
        }

        return singleLine ? html.ToLine(text.Value) : html.ToText(text.Value);
    }
}
