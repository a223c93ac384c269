using System.Text.Json;

namespace AlertBot.Feeds.Parsing;

/// <summary>JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/).</summary>
internal static class JsonFeedParser
{
    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = 32,
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    public static ParsedFeed Parse(string text, Uri? documentUri)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Options);
        }
        catch (JsonException ex)
        {
            throw new FeedFormatException($"not valid JSON: {XmlTreeReader.OneLine(ex.Message)}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                String(root, "version") is not { } version ||
                !version.StartsWith("https://jsonfeed.org/version/", StringComparison.OrdinalIgnoreCase))
            {
                throw new FeedFormatException("not a feed: JSON without a jsonfeed.org version");
            }

            var feedAuthor = Author(root);
            var entries = new List<FeedEntry>();
            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object))
                {
                    entries.Add(Item(item, documentUri, feedAuthor));
                }
            }

            var title = String(root, "title") is { } t ? new FeedText(t, FeedTextTypes.Plain) : null;
            return new ParsedFeed(FeedFormat.JsonFeed, title, String(root, "home_page_url"), entries);
        }
    }

    private static FeedEntry Item(JsonElement item, Uri? documentUri, FeedPerson? feedAuthor)
    {
        var links = new List<FeedLink>();
        var url = Absolute(String(item, "url"), documentUri);
        if (url is not null)
        {
            links.Add(new FeedLink(url, "alternate", FeedTextTypes.Html));
        }

        if (Absolute(String(item, "external_url"), documentUri) is { } external)
        {
            links.Add(new FeedLink(external, "related", null));
        }

        var content = String(item, "content_html") is { } html
            ? new FeedText(html, FeedTextTypes.Html)
            : String(item, "content_text") is { } plain ? new FeedText(plain, FeedTextTypes.Plain) : null;
        var published = String(item, "date_published");
        var updated = String(item, "date_modified");
        return new FeedEntry
        {
            // JSON Feed allows a number here although the spec says string; both are the same id to us.
            Id = item.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? id.ToString().Trim()
                : null,
            Link = url,
            Links = links,
            Title = String(item, "title") is { } title ? new FeedText(title, FeedTextTypes.Plain) : null,
            Summary = String(item, "summary") is { } summary ? new FeedText(summary, FeedTextTypes.Plain) : null,
            Content = content,
            Author = Author(item) ?? feedAuthor,
            Published = FeedDates.Parse(published),
            PublishedText = published,
            Updated = FeedDates.Parse(updated),
            UpdatedText = updated,
        };
    }

    private static FeedPerson? Author(JsonElement owner)
    {
        JsonElement author;
        if (owner.TryGetProperty("authors", out var authors) && authors.ValueKind == JsonValueKind.Array &&
            authors.GetArrayLength() > 0)
        {
            author = authors[0];
        }
        else if (!owner.TryGetProperty("author", out author))
        {
            return null;
        }

        return author.ValueKind == JsonValueKind.Object && (String(author, "name") ?? String(author, "url")) is not null
            ? new FeedPerson(String(author, "name"), null, String(author, "url"))
            : null;
    }

    private static string? Absolute(string? url, Uri? documentUri)
    {
        if (url is null)
        {
            return null;
        }

        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return url;
        }

        return documentUri is not null && Uri.TryCreate(documentUri, url, out var resolved) ? resolved.AbsoluteUri : url;
    }

    private static string? String(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String &&
        value.GetString()?.Trim() is { Length: > 0 } text
            ? text
            : null;
}
