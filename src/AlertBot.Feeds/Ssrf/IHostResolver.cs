using System.Net;

namespace AlertBot.Feeds.Ssrf;

/// <summary>Name to addresses, for <see cref="GuardedConnector"/>; tests swap it to play a rebinding DNS server.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The operating system's resolver.</summary>
public sealed class SystemHostResolver : IHostResolver
{
    public static readonly SystemHostResolver Instance = new();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
