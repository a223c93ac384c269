using System.Net;
using AlertBot.Feeds.Fetching;

namespace AlertBot.Feeds.Ssrf;

/// <summary>
/// The guard against server-side request forgery: feeds come from chat users, so a feed URL must not make the bot
/// reach its own machine, its LAN or the cloud metadata service. Asked twice per hop: as the
/// <see cref="IFeedUrlPolicy"/> before the request (scheme, and an address spelled literally in the URL), and by
/// <see cref="GuardedConnector"/> for every address DNS gives, which is the check that counts because it judges the
/// address actually connected to. The operator lets chosen LAN sources through with
/// <see cref="FetchOptions.AllowedHosts"/> and <see cref="FetchOptions.AllowedNetworks"/>.
/// </summary>
public sealed class AddressGuard : IFeedUrlPolicy
{
    private const string NetworksKey = FetchOptions.SectionName + ":" + nameof(FetchOptions.AllowedNetworks);
    private const string HostsKey = FetchOptions.SectionName + ":" + nameof(FetchOptions.AllowedHosts);

    private readonly bool enabled;
    private readonly IPNetwork[] allowedNetworks;
    private readonly string[] allowedHosts;

    public AddressGuard(FetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        enabled = options.BlockPrivateAddresses;
        allowedNetworks = [.. options.AllowedNetworks.Select(n => ParseNetwork(n) ?? throw new ArgumentException($"{NetworksKey}: '{n}' is not a network", nameof(options)))];
        allowedHosts = [.. options.AllowedHosts.Select(NormaliseHost)];
    }

    /// <summary>Parses "10.0.0.0/8", "fd00::/8" or a single address ("192.168.1.20" is 192.168.1.20/32); else null.</summary>
    public static IPNetwork? ParseNetwork(string text)
    {
        text = text.Trim();
        if (IPAddress.TryParse(text, out var single) && !text.Contains('/', StringComparison.Ordinal))
        {
            single = AddressClassifier.Canonical(single);
            return new IPNetwork(single, single.GetAddressBytes().Length * 8);
        }

        // "10.0.0.5/8" is refused rather than widened to 10.0.0.0/8: an allow-list entry should mean what it says.
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && IPNetwork.TryParse(text, out var network) &&
               IPAddress.TryParse(text.AsSpan(0, slash), out var written) &&
               written.Equals(network.BaseAddress)
            ? network
            : null;
    }

    /// <summary>Whether the operator trusts this host name with any address it resolves to.</summary>
    public bool IsAllowedHost(string host)
    {
        host = NormaliseHost(host);
        foreach (var allowed in allowedHosts)
        {
            if (allowed.StartsWith("*.", StringComparison.Ordinal)
                    ? host.EndsWith(allowed[1..], StringComparison.Ordinal)
                    : host == allowed)
            {
                return true;
            }
        }

        return false;
    }

    /// <returns>Null when <paramref name="address"/> may be connected to, else a one-line reason naming the fix.</returns>
    public string? Check(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!enabled || IsAllowedNetwork(address) || AddressClassifier.Classify(address) is not { } kind)
        {
            return null;
        }

        return $"address {address} is {kind}; add it to {NetworksKey} to allow it";
    }

    /// <summary>
    /// Checks what can be known without DNS: the scheme, and the host when it is an IP literal. .NET's Uri has already
    /// turned decimal, octal and hex spellings (http://2130706433/, http://0x7f.1/) into dotted form by now.
    /// </summary>
    public string? CheckUri(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.Scheme is not ("http" or "https"))
        {
            return $"scheme '{uri.Scheme}' is not allowed (only http and https)";
        }

        if (!enabled || IsAllowedHost(uri.IdnHost))
        {
            return null;
        }

        return IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) ? Check(literal) : null;
    }

    /// <summary>The reason to give when every address a host name resolved to was refused.</summary>
    public static string ResolvedToRefused(string host, string refusal) =>
        $"{host} resolves only to refused addresses: {refusal}, or add {host} to {HostsKey}";

    public ValueTask<string?> CheckAsync(Uri uri, CancellationToken cancellationToken) => ValueTask.FromResult(CheckUri(uri));

    private bool IsAllowedNetwork(IPAddress address)
    {
        var canonical = AddressClassifier.Canonical(address);
        foreach (var network in allowedNetworks)
        {
            if (network.Contains(canonical))
            {
                return true;
            }
        }

        return false;
    }

    private static string NormaliseHost(string host) => host.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();
}
