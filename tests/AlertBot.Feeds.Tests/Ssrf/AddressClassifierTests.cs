using System.Net;
using AlertBot.Feeds.Fetching;
using AlertBot.Feeds.Ssrf;

namespace AlertBot.Feeds.Tests.Ssrf;

public sealed class AddressClassifierTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("10.0.0.5", "private (RFC 1918)")]
    [InlineData("10.255.255.255", "private (RFC 1918)")]
    [InlineData("172.16.0.1", "private (RFC 1918)")]
    [InlineData("172.31.255.255", "private (RFC 1918)")]
    [InlineData("192.168.1.1", "private (RFC 1918)")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "this network")]
    [InlineData("0.1.2.3", "this network")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.0.170", "IETF protocol assignment")]
    [InlineData("192.0.2.10", "documentation")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.9", "documentation")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("192.88.99.1", "6to4 relay")]
    [InlineData("::1", "loopback (::1)")]
    [InlineData("::", "unspecified")]
    [InlineData("fe80::1", "link-local (fe80::/10)")]
    [InlineData("febf:ffff::1", "link-local (fe80::/10)")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd12:3456:789a::1", "unique local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast (ff00::/8)")]
    [InlineData("ff05::1:3", "multicast (ff00::/8)")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("3fff::1", "documentation")]
    [InlineData("100::1", "discard-only")]
    [InlineData("2001:2::1", "benchmarking")]
    [InlineData("::ffff:127.0.0.1", "loopback (127.0.0.0/8) as IPv4-mapped 127.0.0.1")]
    [InlineData("::ffff:10.0.0.5", "private (RFC 1918) as IPv4-mapped 10.0.0.5")]
    [InlineData("::ffff:a9fe:a9fe", "as IPv4-mapped 169.254.169.254")]
    [InlineData("0:0:0:0:0:ffff:c0a8:0101", "as IPv4-mapped 192.168.1.1")]
    [InlineData("::127.0.0.1", "loopback (127.0.0.0/8) as IPv4-compatible 127.0.0.1")]
    [InlineData("::8.8.8.8", "IPv4-compatible IPv6 (::/96, deprecated)")]
    [InlineData("64:ff9b::a00:5", "private (RFC 1918) as NAT64 10.0.0.5")]
    [InlineData("64:ff9b::169.254.169.254", "as NAT64 169.254.169.254")]
    [InlineData("64:ff9b:1::8.8.8.8", "local-use NAT64")]
    [InlineData("2002:c0a8:0101::1", "private (RFC 1918) as 6to4 192.168.1.1")]
    [InlineData("2002:7f00:0001::", "as 6to4 127.0.0.1")]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffa", "private (RFC 1918) as Teredo 10.0.0.5")]
    [InlineData("2001:0:c0a8:101::1", "as Teredo 192.168.1.1")]
    [InlineData("4000::1", "reserved IPv6")]
    [InlineData("::2", "this network")]
    public void Non_public_addresses_are_classified(string address, string expected)
    {
        var kind = AddressClassifier.Classify(IPAddress.Parse(address));

        Assert.NotNull(kind);
        Assert.Contains(expected, kind, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.216.34")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("192.169.0.1")]
    [InlineData("223.255.255.254")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:82a::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:0808:0808::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7")]
    public void Public_addresses_pass(string address) =>
        Assert.Null(AddressClassifier.Classify(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://2130706433/", "127.0.0.1")]
    [InlineData("http://0x7f.1/", "127.0.0.1")]
    [InlineData("http://0x7f000001/", "127.0.0.1")]
    [InlineData("http://017700000001/", "127.0.0.1")]
    [InlineData("http://0177.0.0.1/", "127.0.0.1")]
    [InlineData("http://127.1/", "127.0.0.1")]
    [InlineData("http://0/", "0.0.0.0")]
    [InlineData("http://167772165/", "10.0.0.5")]
    [InlineData("http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/", "169.254.169.254")]
    [InlineData("http://[::1]:8080/feed", "::1")]
    [InlineData("http://[::ffff:127.0.0.1]/", "127.0.0.1")]
    [InlineData("http://[::ffff:a9fe:a9fe]/", "169.254.169.254")]
    [InlineData("https://[fd00::1]/", "fd00::1")]
    public void Literal_addresses_in_any_spelling_are_refused_before_connecting(string url, string shown)
    {
        var reason = new AddressGuard(new FetchOptions()).CheckUri(new Uri(url));

        Assert.NotNull(reason);
        Assert.Contains(shown, reason, StringComparison.Ordinal);
        Assert.EndsWith("add it to AlertBot:Fetch:AllowedNetworks to allow it", reason, StringComparison.Ordinal);
    }
}
