using System.Net;
using System.Net.Sockets;

namespace AlertBot.Feeds.Ssrf;

/// <summary>
/// Says whether an IP address is one a feed fetch must not reach: anything that is not ordinary public unicast.
/// IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are judged by the IPv4 inside,
/// because that is where the packets end up.
/// </summary>
public static class AddressClassifier
{
    private static readonly (IPNetwork Network, string Kind)[] V4 =
    [
        (Net("255.255.255.255/32"), "broadcast"),
        (Net("0.0.0.0/8"), "'this network' (0.0.0.0/8)"),
        (Net("10.0.0.0/8"), "private (RFC 1918)"),
        (Net("100.64.0.0/10"), "shared carrier-grade NAT (100.64.0.0/10)"),
        (Net("127.0.0.0/8"), "loopback (127.0.0.0/8)"),
        (Net("169.254.0.0/16"), "link-local (169.254.0.0/16, where cloud metadata lives)"),
        (Net("172.16.0.0/12"), "private (RFC 1918)"),
        (Net("192.0.0.0/24"), "IETF protocol assignment (192.0.0.0/24)"),
        (Net("192.0.2.0/24"), "documentation (192.0.2.0/24)"),
        (Net("192.88.99.0/24"), "6to4 relay anycast (192.88.99.0/24)"),
        (Net("192.168.0.0/16"), "private (RFC 1918)"),
        (Net("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"),
        (Net("198.51.100.0/24"), "documentation (198.51.100.0/24)"),
        (Net("203.0.113.0/24"), "documentation (203.0.113.0/24)"),
        (Net("224.0.0.0/4"), "multicast (224.0.0.0/4)"),
        (Net("240.0.0.0/4"), "reserved (240.0.0.0/4)"),
    ];

    private static readonly (IPNetwork Network, string Kind)[] V6 =
    [
        (Net("::/128"), "unspecified (::)"),
        (Net("::1/128"), "loopback (::1)"),
        (Net("64:ff9b:1::/48"), "local-use NAT64 (64:ff9b:1::/48)"),
        (Net("100::/64"), "discard-only (100::/64)"),
        (Net("2001:2::/48"), "benchmarking (2001:2::/48)"),
        (Net("2001:10::/28"), "ORCHID (2001:10::/28)"),
        (Net("2001:20::/28"), "ORCHIDv2 (2001:20::/28)"),
        (Net("2001:db8::/32"), "documentation (2001:db8::/32)"),
        (Net("3fff::/20"), "documentation (3fff::/20)"),
        (Net("fc00::/7"), "unique local (fc00::/7)"),
        (Net("fe80::/10"), "link-local (fe80::/10)"),
        (Net("fec0::/10"), "site-local (fec0::/10)"),
        (Net("ff00::/8"), "multicast (ff00::/8)"),
    ];

    private static readonly IPNetwork GlobalUnicast = Net("2000::/3");
    private static readonly IPNetwork Nat64 = Net("64:ff9b::/96");
    private static readonly IPNetwork Compatible = Net("::/96");
    private static readonly IPNetwork SixToFour = Net("2002::/16");
    private static readonly IPNetwork Teredo = Net("2001::/32");

    /// <returns>Null for a public unicast address, else what kind of address it is ("private (RFC 1918)").</returns>
    public static string? Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return Match(V4, address);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return $"not an IP address ({address.AddressFamily})";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return Embedded("IPv4-mapped", address.MapToIPv4());
        }

        if (Match(V6, address) is { } kind)
        {
            return kind;
        }

        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address))
        {
            return Embedded("NAT64", new IPAddress(bytes.AsSpan(12, 4)));
        }

        if (Compatible.Contains(address))
        {
            // Deprecated since 2006; nothing legitimate uses it, so it is refused even around a public IPv4 address.
            return Embedded("IPv4-compatible", new IPAddress(bytes.AsSpan(12, 4))) ?? "IPv4-compatible IPv6 (::/96, deprecated)";
        }

        if (SixToFour.Contains(address))
        {
            return Embedded("6to4", new IPAddress(bytes.AsSpan(2, 4)));
        }

        if (Teredo.Contains(address))
        {
            // The Teredo client's IPv4 address is stored inverted in the last 32 bits.
            var client = bytes.AsSpan(12, 4).ToArray();
            for (var i = 0; i < client.Length; i++)
            {
                client[i] ^= 0xFF;
            }

            return Embedded("Teredo", new IPAddress(bytes.AsSpan(4, 4))) ?? Embedded("Teredo", new IPAddress(client));
        }

        return GlobalUnicast.Contains(address) ? null : "reserved IPv6 (outside 2000::/3 global unicast)";
    }

    /// <summary>The IPv4 address an IPv4-mapped IPv6 address stands for; any other address unchanged.</summary>
    public static IPAddress Canonical(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string? Embedded(string form, IPAddress inner) =>
        Match(V4, inner) is { } kind ? $"{kind} as {form} {inner}" : null;

    private static string? Match((IPNetwork Network, string Kind)[] table, IPAddress address)
    {
        foreach (var (network, kind) in table)
        {
            if (network.Contains(address))
            {
                return kind;
            }
        }

        return null;
    }

    private static IPNetwork Net(string cidr) => IPNetwork.Parse(cidr);
}
