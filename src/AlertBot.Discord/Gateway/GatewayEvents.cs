using System.Text.Json;
using System.Threading.Channels;

namespace AlertBot.Discord.Gateway;

/// <summary>Work the gateway hands off so its receive loop never waits on a handler.</summary>
internal abstract record GatewayEvent;

internal sealed record GatewayReady(string? ApplicationId) : GatewayEvent;

internal sealed record InteractionReceived(JsonElement Interaction) : GatewayEvent;

/// <summary>
/// The queue between the gateway (producer) and the interaction dispatcher (consumer). Bounded: when full, the
/// gateway drops rather than waits, because waiting would stall the heartbeat and lose the whole session.
/// </summary>
internal sealed class GatewayEventQueue
{
    private readonly Channel<GatewayEvent> _channel = Channel.CreateBounded<GatewayEvent>(new BoundedChannelOptions(1000)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public ChannelReader<GatewayEvent> Reader => _channel.Reader;

    public bool TryWrite(GatewayEvent item) => _channel.Writer.TryWrite(item);
}
