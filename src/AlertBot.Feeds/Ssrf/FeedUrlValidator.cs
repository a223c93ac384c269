using AlertBot.Core.Feeds;

namespace AlertBot.Feeds.Ssrf;

/// <summary>
/// The check on a URL a chat user adds: http or https only (never a local path or file://, which only the operator's
/// configuration may name), no credentials, and no host that is private by its spelling. It does not resolve DNS:
/// a name that resolves to a private address is refused by <see cref="GuardedConnector"/> at every fetch, which also
/// catches a name whose answer changes after it was added.
/// </summary>
public sealed class FeedUrlValidator(AddressGuard guard) : IFeedUrlValidator
{
    public const int MaxLength = 2048;

    public string? Validate(string url)
    {
        url = url?.Trim() ?? "";
        if (url.Length == 0)
        {
            return "a feed URL is required";
        }

        if (url.Length > MaxLength)
        {
            return $"the URL is longer than {MaxLength} characters";
        }

        if (url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return "the URL contains spaces or control characters";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return "only http:// and https:// feed URLs can be added from chat (local files belong in the operator's configuration)";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "a URL with a user name or password cannot be added: feed lists would show it";
        }

        if (uri.IdnHost.Length == 0)
        {
            return "the URL has no host";
        }

        // localhost is loopback by definition (RFC 6761) whatever DNS says; refuse it here rather than at the first poll.
        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        if ((host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal)) && !guard.IsAllowedHost(host))
        {
            return guard.Check(System.Net.IPAddress.Loopback) is { } loopback
                ? $"{host} is this machine: {loopback}"
                : null;
        }

        return guard.CheckUri(uri);
    }
}
