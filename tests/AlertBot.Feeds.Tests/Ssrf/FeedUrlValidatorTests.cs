using AlertBot.Feeds.Fetching;
using AlertBot.Feeds.Ssrf;

namespace AlertBot.Feeds.Tests.Ssrf;

/// <summary>The check the chat command runs on a URL a user adds.</summary>
public sealed class FeedUrlValidatorTests
{
    private static FeedUrlValidator CreateSut(Action<FetchOptions>? configure = null) => new(new AddressGuard(TestOptions.With(configure)));

    [Theory]
    [InlineData("https://www.example.com/rss.xml")]
    [InlineData("http://feeds.example.org/news?format=atom&token=abc")]
    [InlineData("  https://example.com/feed  ")]
    [InlineData("https://[2606:4700:4700::1111]/feed")]
    public void Public_http_urls_are_accepted(string url) => Assert.Null(CreateSut().Validate(url));

    [Theory]
    [InlineData("file:///etc/passwd", "only http:// and https://")]
    [InlineData("/etc/passwd", "only http:// and https://")]
    [InlineData("seeds/feeds/sample.xml", "only http:// and https://")]
    [InlineData("C:\\feeds\\x.xml", "only http:// and https://")]
    [InlineData("ftp://example.com/feed.xml", "only http:// and https://")]
    [InlineData("gopher://example.com:70/", "only http:// and https://")]
    [InlineData("javascript:alert(1)", "only http:// and https://")]
    [InlineData("", "required")]
    [InlineData("https://exa mple.com/", "spaces")]
    [InlineData("https://user:secret@example.com/feed", "user name or password")]
    [InlineData("http://10.0.0.5/feed", "address 10.0.0.5 is private (RFC 1918)")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://2130706433/", "address 127.0.0.1 is loopback")]
    [InlineData("http://[::1]/", "loopback")]
    [InlineData("http://localhost:8080/feed", "localhost is this machine: address 127.0.0.1 is loopback")]
    [InlineData("http://api.LOCALHOST./feed", "this machine")]
    public void Local_files_other_schemes_and_private_addresses_are_refused(string url, string reason)
    {
        var error = CreateSut().Validate(url);

        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void Credentials_never_appear_in_the_refusal() =>
        Assert.DoesNotContain("secret", CreateSut().Validate("https://user:secret@example.com/feed"), StringComparison.Ordinal);

    [Fact]
    public void Operator_allow_list_admits_a_lan_source()
    {
        var sut = CreateSut(o =>
        {
            o.AllowedNetworks.Add("192.168.1.0/24");
            o.AllowedHosts.Add("localhost");
        });

        Assert.Null(sut.Validate("http://192.168.1.20:8080/rss"));
        Assert.Null(sut.Validate("http://localhost:8080/rss"));
        Assert.NotNull(sut.Validate("http://192.168.2.20/rss"));
    }
}
