using System.Globalization;
using System.Security;
using System.Text;

namespace AlertBot.Testing.Feeds;

/// <summary>One item for <see cref="SampleFeeds.Rss"/>; the description is written as escaped HTML, like real feeds do.</summary>
public sealed record SampleItem(string Title, string Link, string Description = "", DateTimeOffset? Published = null, string? Id = null);

/// <summary>Small, valid feed documents for tests that need a feed but are not about parsing.</summary>
public static class SampleFeeds
{
    public static string Rss(string channelTitle, params SampleItem[] items)
    {
        var sb = new StringBuilder();
        sb.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>");
        sb.Append("<title>").Append(SecurityElement.Escape(channelTitle)).Append("</title><link>http://example.test/</link>");
        foreach (var item in items)
        {
            sb.Append("<item><title>").Append(SecurityElement.Escape(item.Title)).Append("</title>");
            sb.Append("<link>").Append(SecurityElement.Escape(item.Link)).Append("</link>");
            sb.Append("<description>").Append(SecurityElement.Escape(item.Description)).Append("</description>");
            if (item.Id is { } guid)
            {
                sb.Append("<guid isPermaLink=\"false\">").Append(SecurityElement.Escape(guid)).Append("</guid>");
            }

            if (item.Published is { } published)
            {
                sb.Append("<pubDate>").Append(published.ToString("R", CultureInfo.InvariantCulture)).Append("</pubDate>");
            }

            sb.Append("</item>");
        }

        sb.Append("</channel></rss>");
        return sb.ToString();
    }

    public static string Atom(string feedTitle, params SampleItem[] items)
    {
        var sb = new StringBuilder();
        sb.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">");
        sb.Append("<title>").Append(SecurityElement.Escape(feedTitle)).Append("</title><id>urn:test:feed</id>");
        foreach (var item in items)
        {
            sb.Append("<entry><title>").Append(SecurityElement.Escape(item.Title)).Append("</title>");
            sb.Append("<id>").Append(SecurityElement.Escape(item.Id ?? item.Link)).Append("</id>");
            sb.Append("<link rel=\"alternate\" href=\"").Append(SecurityElement.Escape(item.Link)).Append("\"/>");
            sb.Append("<summary type=\"html\">").Append(SecurityElement.Escape(item.Description)).Append("</summary>");
            if (item.Published is { } published)
            {
                sb.Append("<published>").Append(published.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)).Append("</published>");
            }

            sb.Append("</entry>");
        }

        sb.Append("</feed>");
        return sb.ToString();
    }
}
