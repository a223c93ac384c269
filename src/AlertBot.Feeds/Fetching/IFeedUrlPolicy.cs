namespace AlertBot.Feeds.Fetching;

/// <summary>
/// Decides whether an address may be fetched. Asked for the feed's own URL and again for every redirect hop, so a
/// guard against server-side request forgery (private, loopback, link-local addresses) plugs in here.
/// </summary>
public interface IFeedUrlPolicy
{
    /// <returns>Null when allowed, else a one-line reason.</returns>
    ValueTask<string?> CheckAsync(Uri uri, CancellationToken cancellationToken);
}

/// <summary>Allows any http or https address and nothing else.</summary>
public sealed class HttpSchemePolicy : IFeedUrlPolicy
{
    public static readonly HttpSchemePolicy Instance = new();

    public ValueTask<string?> CheckAsync(Uri uri, CancellationToken cancellationToken) =>
        ValueTask.FromResult(uri.Scheme is "http" or "https" ? null : $"scheme '{uri.Scheme}' is not allowed (only http and https)");
}
