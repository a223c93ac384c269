using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlertBot.Core.Channels;

/// <summary>
/// A chat platform adapter that its own configuration turned on. Each adapter's <c>Add…</c> extension reads its own
/// options and registers one (<see cref="ChatAdapterRegistration.AddChatAdapter{TAdapter}"/>) only when it is on, so
/// the host never reads an adapter's keys: it learns whether any chat is configured (no adapter: alerts go to the
/// console) and which channels exist because configuration says so from these.
/// </summary>
public interface IChatAdapter
{
    /// <summary>The platform name its channels carry (<see cref="Platforms"/>).</summary>
    string Platform { get; }

    /// <summary>
    /// Channels that exist because configuration names them, not because someone subscribed with a command (Discord
    /// webhooks): at start-up each is made active, attached to the default feeds and given its preset watchlist.
    /// </summary>
    IReadOnlyList<ConfiguredChannel> ConfiguredChannels { get; }
}

/// <summary>A channel set up from configuration.</summary>
/// <param name="Title">The channel's title in the store and in <c>alertbot channels</c>.</param>
/// <param name="Watchlist">The preset (from the watchlists file) it starts with when it has no terms yet.</param>
/// <param name="WatchlistKey">The configuration key that named the preset, for the error when it does not exist.</param>
public sealed record ConfiguredChannel(ChannelRef Channel, string Title, string Watchlist, string WatchlistKey);

public static class ChatAdapterRegistration
{
    /// <summary>Called by an adapter's <c>Add…</c> extension when its options turn it on.</summary>
    public static IServiceCollection AddChatAdapter<TAdapter>(this IServiceCollection services)
        where TAdapter : class, IChatAdapter
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatAdapter, TAdapter>());
        return services;
    }

    /// <summary>
    /// Whether an adapter's <c>Add…</c> turned itself on. Known as soon as those ran, before the container is built, so
    /// the host can decide which sinks to register from it.
    /// </summary>
    public static bool HasChatAdapter(this IServiceCollection services) =>
        services.Any(d => d.ServiceType == typeof(IChatAdapter));
}
