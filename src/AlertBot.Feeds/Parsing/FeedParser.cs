namespace AlertBot.Feeds.Parsing;

/// <summary>Entry point of parsing: bytes (plus what HTTP said about them) to a <see cref="ParsedFeed"/>.</summary>
public static class FeedParser
{
    /// <param name="bytes">The (decompressed) document.</param>
    /// <param name="httpCharset">The charset parameter of the HTTP Content-Type, if any.</param>
    /// <param name="documentUri">Where the document came from (after redirects, or its Content-Location): the base of relative links.</param>
    /// <exception cref="FeedFormatException">The document is not a feed we can read.</exception>
    public static ParsedFeed Parse(ReadOnlySpan<byte> bytes, string? httpCharset = null, Uri? documentUri = null)
    {
        var text = DocumentDecoder.Decode(bytes, httpCharset);
        var start = text.AsSpan().TrimStart();
        if (start.IsEmpty)
        {
            throw new FeedFormatException("not a feed: empty document");
        }

        return start[0] == '{' ? JsonFeedParser.Parse(text, documentUri) : XmlFeedParser.Parse(text, documentUri);
    }
}
