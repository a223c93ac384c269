namespace AlertBot.Feeds.Fetching;

/// <summary>
/// Decides whether an address may be fetched. Asked for the feed's own URL and again for every redirect hop, before
/// any connection; the default is <see cref="Ssrf.AddressGuard"/>, whose connect-time check runs whatever policy is used.
/// </summary>
public interface IFeedUrlPolicy
{
    /// <returns>Null when allowed, else a one-line reason.</returns>
    ValueTask<string?> CheckAsync(Uri uri, CancellationToken cancellationToken);
}
