using AlertBot.Feeds.Ssrf;
using Microsoft.Extensions.Options;

namespace AlertBot.Feeds.Fetching;

/// <summary>Limits for fetching one feed; bound from the configuration section <see cref="SectionName"/>.</summary>
public sealed class FetchOptions
{
    public const string SectionName = "AlertBot:Fetch";

    /// <summary>Overall deadline for one read: connecting, every redirect hop and reading the whole body.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest body accepted as sent on the wire (compressed or not).</summary>
    public long MaxBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest body accepted after gzip/deflate/brotli decompression.</summary>
    public long MaxDecompressedBytes { get; set; } = 50 * 1024 * 1024;

    public int MaxRedirects { get; set; } = 5;

    /// <summary>
    /// Reads of feeds on one host at a time; further reads of that host wait their turn. Politeness: a site with many
    /// feeds subscribed is not fetched a hundred times at once.
    /// </summary>
    public int MaxConcurrentPerHost { get; set; } = 2;

    public string UserAgent { get; set; } = "AlertBot/1.0 (+self-hosted news alert bot)";

    /// <summary>
    /// Refuse loopback, private, link-local, CGNAT, multicast and other non-public addresses (SSRF guard). Turning it
    /// off lets any chat user make the bot fetch from its own LAN; prefer <see cref="AllowedNetworks"/>.
    /// </summary>
    public bool BlockPrivateAddresses { get; set; } = true;

    /// <summary>Networks the guard lets through, as CIDR ("192.168.1.0/24", "fd00::/8") or single addresses.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>
    /// Host names the guard trusts with whatever address they resolve to ("nas.lan", or "*.lan" for any name under
    /// lan). Only the name in the URL counts, so a redirect from an allowed host to another address is still checked.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];
}

/// <summary>Checks <see cref="FetchOptions"/> at start-up; every message names the configuration key at fault.</summary>
public sealed class FetchOptionsValidator : IValidateOptions<FetchOptions>
{
    public ValidateOptionsResult Validate(string? name, FetchOptions options)
    {
        var errors = new List<string>();
        const string prefix = FetchOptions.SectionName + ":";
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{prefix}Timeout must be more than 00:00:00 and at most 00:10:00 (was {options.Timeout}).");
        }

        if (options.MaxBodyBytes <= 0)
        {
            errors.Add($"{prefix}MaxBodyBytes must be positive (was {options.MaxBodyBytes}).");
        }

        if (options.MaxDecompressedBytes < options.MaxBodyBytes)
        {
            errors.Add($"{prefix}MaxDecompressedBytes must be at least MaxBodyBytes (was {options.MaxDecompressedBytes}).");
        }

        if (options.MaxDecompressedBytes > int.MaxValue)
        {
            errors.Add($"{prefix}MaxDecompressedBytes must be at most {int.MaxValue} (was {options.MaxDecompressedBytes}).");
        }

        if (options.MaxRedirects is < 0 or > 20)
        {
            errors.Add($"{prefix}MaxRedirects must be between 0 and 20 (was {options.MaxRedirects}).");
        }

        if (options.MaxConcurrentPerHost is < 1 or > 256)
        {
            errors.Add($"{prefix}MaxConcurrentPerHost must be between 1 and 256 (was {options.MaxConcurrentPerHost}).");
        }

        if (string.IsNullOrWhiteSpace(options.UserAgent) || options.UserAgent.Any(char.IsControl))
        {
            errors.Add($"{prefix}UserAgent must be a non-empty single line.");
        }

        for (var i = 0; i < options.AllowedNetworks.Count; i++)
        {
            if (AddressGuard.ParseNetwork(options.AllowedNetworks[i] ?? "") is null)
            {
                errors.Add($"{prefix}AllowedNetworks:{i} must be a CIDR network such as 192.168.1.0/24 with no bits set after the prefix, or one address (was '{options.AllowedNetworks[i]}').");
            }
        }

        for (var i = 0; i < options.AllowedHosts.Count; i++)
        {
            var host = options.AllowedHosts[i] ?? "";
            // Addresses belong in AllowedNetworks: the connect-time check judges addresses by network only.
            if (Uri.CheckHostName(host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host) != UriHostNameType.Dns)
            {
                errors.Add($"{prefix}AllowedHosts:{i} must be a host name such as nas.lan or *.lan, without scheme or port; addresses go in AllowedNetworks (was '{host}').");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
