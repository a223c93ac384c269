using System.Security.Cryptography;
using System.Text;

namespace AlertBot.Core.Items;

/// <summary>
/// Decides when two items are the same item: by their canonical link when they have one (so a link re-published with
/// tracking parameters or a fragment is not new), else by the feed's id, else by a hash of title and text.
/// </summary>
public static class ItemIdentity
{
    // Query parameters that only say where a click came from; they never change what the page is.
    private static readonly string[] TrackingPrefixes = ["utm_"];

    private static readonly HashSet<string> TrackingNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "_gl",
        "ocid", "cmpid", "smid", "at_medium", "at_campaign", "ito", "taid", "ref_src", "s_cid",
    };

    public static string KeyFor(NewsItem item)
    {
        if (item.Link is { Length: > 0 } link && CanonicalUrl(link) is { } canonical)
        {
            return "url:" + canonical;
        }

        if (!string.IsNullOrWhiteSpace(item.Id))
        {
            return "id:" + item.Id.Trim();
        }

        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(item.Title + "\n" + item.Text));
        return "hash:" + Convert.ToHexStringLower(bytes.AsSpan(0, 16));
    }

    /// <summary>
    /// The link reduced to what identifies the page: lower-case scheme and host, no default port, no fragment,
    /// no tracking parameters, the remaining parameters in a stable order. Null when it is not an absolute http(s) URL.
    /// </summary>
    public static string? CanonicalUrl(string link)
    {
        if (!Uri.TryCreate(link.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        var kept = new List<string>();
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = pair.Split('=', 2)[0];
            if (TrackingNames.Contains(name) ||
                TrackingPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            kept.Add(pair);
        }

        kept.Sort(StringComparer.Ordinal);
        var builder = new StringBuilder();
        builder.Append(uri.Scheme).Append("://").Append(uri.IdnHost.ToLowerInvariant());
        if (!uri.IsDefaultPort)
        {
            builder.Append(':').Append(uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var path = uri.AbsolutePath;
        builder.Append(path.Length > 1 ? path.TrimEnd('/') : "/");
        if (kept.Count > 0)
        {
            builder.Append('?').Append(string.Join('&', kept));
        }

        return builder.ToString();
    }
}
