using System.Net;
using AlertBot.Feeds.Fetching;
using AlertBot.Feeds.Ssrf;

namespace AlertBot.Feeds.Tests.Ssrf;

public sealed class AddressGuardTests
{
    private static AddressGuard CreateSut(Action<FetchOptions>? configure = null) => new(TestOptions.With(configure));

    [Fact]
    public void Refusal_is_one_line_naming_the_range_and_the_key_that_allows_it()
    {
        Assert.Equal(
            "address 10.0.0.5 is private (RFC 1918); add it to AlertBot:Fetch:AllowedNetworks to allow it",
            CreateSut().Check(IPAddress.Parse("10.0.0.5")));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.20.30.40")]
    [InlineData("192.168.1.0/24", "192.168.1.20")]
    [InlineData("192.168.1.20", "192.168.1.20")]
    [InlineData("192.168.1.0/24", "::ffff:192.168.1.20")]
    [InlineData("127.0.0.0/8", "127.0.0.1")]
    [InlineData("fd00::/8", "fd12::7")]
    public void Allowed_network_lets_its_addresses_through(string network, string address)
    {
        Assert.NotNull(CreateSut().Check(IPAddress.Parse(address)));

        Assert.Null(CreateSut(o => o.AllowedNetworks.Add(network)).Check(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("192.168.1.0/24", "192.168.2.1")]
    [InlineData("192.168.1.20", "192.168.1.21")]
    [InlineData("10.0.0.0/8", "169.254.169.254")]
    public void Allowed_network_lets_nothing_else_through(string network, string address) =>
        Assert.NotNull(CreateSut(o => o.AllowedNetworks.Add(network)).Check(IPAddress.Parse(address)));

    [Theory]
    [InlineData("nas.lan", "nas.lan", true)]
    [InlineData("nas.lan", "NAS.LAN.", true)]
    [InlineData("nas.lan", "other.lan", false)]
    [InlineData("*.lan", "nas.lan", true)]
    [InlineData("*.lan", "a.b.lan", true)]
    [InlineData("*.lan", "lan", false)]
    [InlineData("*.lan", "evil-lan", false)]
    public void Allowed_hosts_match_by_name_or_subdomain(string allowed, string host, bool expected) =>
        Assert.Equal(expected, CreateSut(o => o.AllowedHosts.Add(allowed)).IsAllowedHost(host));

    [Fact]
    public void Guard_switched_off_allows_every_address_but_still_only_http()
    {
        var sut = CreateSut(o => o.BlockPrivateAddresses = false);

        Assert.Null(sut.Check(IPAddress.Parse("169.254.169.254")));
        Assert.Null(sut.CheckUri(new Uri("http://10.0.0.5/feed")));
        Assert.Contains("not allowed", sut.CheckUri(new Uri("file:///etc/passwd")), StringComparison.Ordinal);
    }

    [Fact]
    public void Host_names_pass_the_url_check_and_are_judged_when_resolved() =>
        Assert.Null(CreateSut().CheckUri(new Uri("https://internal.example/feed")));
}
