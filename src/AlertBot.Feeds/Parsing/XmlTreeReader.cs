using System.Xml;
using System.Xml.Linq;

namespace AlertBot.Feeds.Parsing;

/// <summary>
/// Reads feed XML into an <see cref="XElement"/> tree with every external and DTD feature off: no DTD is processed,
/// no entity is expanded, no resolver exists. A document whose last line lacks only the closing tags of the root or its
/// channel (the commonest breakage of hand-rolled feeds) keeps its complete items; any other error rejects the document,
/// so an item is never half-read.
/// </summary>
internal static class XmlTreeReader
{
    /// <summary>Real feeds nest a few dozen levels; a deeper document is an attack on whatever walks the tree.</summary>
    internal const int MaxDepth = 256;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CheckCharacters = false,
        ConformanceLevel = ConformanceLevel.Document,
    };

    public static XElement Read(string text)
    {
        var stack = new Stack<XElement>();
        XElement? root = null;
        using var stringReader = new StringReader(text);
        using var reader = XmlReader.Create(stringReader, Settings);
        try
        {
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
                        CopyAttributes(reader, element);
                        if (stack.TryPeek(out var parent))
                        {
                            parent.Add(element);
                        }
                        else
                        {
                            root = element;
                        }

                        if (!reader.IsEmptyElement)
                        {
                            if (stack.Count >= MaxDepth)
                            {
                                throw new FeedFormatException($"elements nested deeper than {MaxDepth} levels");
                            }

                            stack.Push(element);
                        }

                        break;
                    case XmlNodeType.EndElement:
                        stack.Pop();
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                        if (stack.TryPeek(out var owner))
                        {
                            // CDATA is kept as such: next to raw elements in an HTML field it is markup, not text.
                            owner.Add(reader.NodeType == XmlNodeType.CDATA ? new XCData(reader.Value) : new XText(reader.Value));
                        }

                        break;
                }
            }
        }
        catch (XmlException ex) when (root is not null && stack.Count <= 2 && ex.LineNumber >= LastContentLine(text))
        {
            // Only the closing tags of the root (and its channel) are missing: every item read is complete.
            return root;
        }
        catch (XmlException ex)
        {
            throw new FeedFormatException($"not well-formed XML: {OneLine(ex.Message)}", ex);
        }

        return root ?? throw new FeedFormatException("not well-formed XML: no root element");
    }

    private static void CopyAttributes(XmlReader reader, XElement element)
    {
        if (!reader.MoveToFirstAttribute())
        {
            return;
        }

        do
        {
            XName name = reader.Prefix == "xmlns" ? XNamespace.Xmlns + reader.LocalName
                : reader.Name == "xmlns" ? "xmlns"
                : XName.Get(reader.LocalName, reader.NamespaceURI);
            if (element.Attribute(name) is null)
            {
                element.Add(new XAttribute(name, reader.Value));
            }
        }
        while (reader.MoveToNextAttribute());

        reader.MoveToElement();
    }

    private static int LastContentLine(string text)
    {
        var end = text.Length;
        while (end > 0 && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        var lines = 1;
        for (var i = 0; i < end; i++)
        {
            if (text[i] == '\n')
            {
                lines++;
            }
        }

        return lines;
    }

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
