using System.Net;
using System.Net.Sockets;

namespace AlertBot.Feeds.Ssrf;

/// <summary>Thrown from the connect callback when every address of a host is refused; the fetcher reports it as Blocked.</summary>
public sealed class AddressBlockedException(string reason) : Exception(reason);

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of every feed client. It resolves the host itself, drops each
/// address the <see cref="AddressGuard"/> refuses and connects to the remaining ones by address, so the address
/// judged is the address connected to: a DNS answer that changes between a check and the connection (rebinding)
/// has nothing to slip through. Each new connection resolves again, including every redirect hop to a new host.
/// </summary>
public sealed class GuardedConnector(AddressGuard guard, IHostResolver resolver)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var literal = IPAddress.TryParse(host, out var parsed);
        var addresses = literal ? [parsed!] : await resolver.ResolveAsync(host, cancellationToken);
        var trusted = !literal && guard.IsAllowedHost(host);

        var allowed = new List<IPAddress>(addresses.Length);
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (!trusted && guard.Check(address) is { } reason)
            {
                refusal ??= reason;
            }
            else
            {
                allowed.Add(AddressClassifier.Canonical(address));
            }
        }

        if (allowed.Count == 0)
        {
            throw new AddressBlockedException(refusal is null
                ? $"{host} resolves to no address"
                : literal ? refusal : AddressGuard.ResolvedToRefused(host, refusal));
        }

        SocketException? lastError = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                lastError = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastError!;
    }
}
