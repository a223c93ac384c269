using System.Text;
using System.Text.RegularExpressions;

namespace AlertBot.Feeds.Parsing;

/// <summary>
/// Turns feed bytes into text. Order of authority: byte-order mark, then the HTTP charset (RFC 7303: it overrides the
/// XML declaration), then the XML declaration, then UTF-8. Bytes that are not valid UTF-8 where UTF-8 was only assumed
/// or declared are read as windows-1252, the encoding such feeds almost always really use.
/// </summary>
internal static partial class DocumentDecoder
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    static DocumentDecoder()
    {
        // windows-1252, ISO-8859-x, EUC-KR, Shift_JIS and friends live in the code-pages provider.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    public static string Decode(ReadOnlySpan<byte> bytes, string? httpCharset)
    {
        if (FromBom(bytes, out var bomLength) is { } bomEncoding)
        {
            return bomEncoding.GetString(bytes[bomLength..]);
        }

        var fromHttp = Lookup(httpCharset);
        var fromDeclaration = Lookup(DeclaredEncoding(bytes));

        // Servers often label everything with a default charset (ISO-8859-1) that the document does not use. Bytes
        // that are valid multi-byte UTF-8 are almost never meant as Latin-1, so such a label loses to the content.
        if (fromHttp is not null && !IsUtf8(fromHttp) && (fromDeclaration is null || IsUtf8(fromDeclaration)) &&
            ContainsNonAscii(bytes) && TryStrictUtf8(bytes, out var utf8))
        {
            return utf8;
        }

        var declared = fromHttp ?? fromDeclaration;
        if (declared is null || IsUtf8(declared))
        {
            return TryStrictUtf8(bytes, out var text) ? text : Encoding.GetEncoding(1252).GetString(bytes);
        }

        return declared.GetString(bytes);
    }

    private static bool IsUtf8(Encoding encoding) => encoding.CodePage == Encoding.UTF8.CodePage;

    private static bool ContainsNonAscii(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExceptInRange((byte)0, (byte)0x7F) >= 0;

    private static bool TryStrictUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    private static Encoding? FromBom(ReadOnlySpan<byte> bytes, out int length)
    {
        length = 0;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            length = 3;
            return Encoding.UTF8;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            length = 4;
            return Encoding.UTF32;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            length = 2;
            return Encoding.Unicode;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            length = 2;
            return Encoding.BigEndianUnicode;
        }

        // UTF-16 without a mark still announces itself by "<" being followed by a zero byte.
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x3C, 0x00, 0x3F, 0x00]))
        {
            return Encoding.Unicode;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x00, 0x3C, 0x00, 0x3F]))
        {
            return Encoding.BigEndianUnicode;
        }

        return null;
    }

    private static string? DeclaredEncoding(ReadOnlySpan<byte> bytes)
    {
        var head = Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 2048)]);
        var m = XmlDeclaration().Match(head);
        return m.Success ? m.Groups["enc"].Value : null;
    }

    private static Encoding? Lookup(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        try
        {
            var encoding = Encoding.GetEncoding(name.Trim().Trim('"', '\''));

            // A declaration of UTF-16 on bytes we already know have no UTF-16 mark is a lie we cannot act on.
            return encoding is UnicodeEncoding or UTF32Encoding ? null : encoding;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^\s*(?:<!--(?:[^-]|-(?!->))*-->\s*)*<\?xml[^>]*?encoding\s*=\s*[""'](?<enc>[A-Za-z0-9._:\-]+)[""']", RegexOptions.CultureInvariant)]
    private static partial Regex XmlDeclaration();
}
