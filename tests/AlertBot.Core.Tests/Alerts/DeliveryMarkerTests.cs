using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;

namespace AlertBot.Core.Tests.Alerts;

public sealed class DeliveryMarkerTests
{
    private static readonly ChannelRef Channel = new("discord", "123456789012345678");

    [Fact]
    public void The_marker_depends_on_channel_item_and_kind_only()
    {
        var marker = DeliveryMarkers.For(Channel, "https://example.com/a", OutboxKind.Alert);

        Assert.Equal(marker, DeliveryMarkers.For(new ChannelRef("discord", "123456789012345678"), "https://example.com/a", OutboxKind.Alert));
        Assert.NotEqual(marker, DeliveryMarkers.For(new ChannelRef("discord", "123456789012345679"), "https://example.com/a", OutboxKind.Alert));
        Assert.NotEqual(marker, DeliveryMarkers.For(new ChannelRef("telegram", "123456789012345678"), "https://example.com/a", OutboxKind.Alert));
        Assert.NotEqual(marker, DeliveryMarkers.For(Channel, "https://example.com/b", OutboxKind.Alert));
        Assert.NotEqual(marker, DeliveryMarkers.For(Channel, "https://example.com/a", OutboxKind.Digest));
    }

    [Fact]
    public void The_marker_has_a_fixed_short_shape()
    {
        var marker = DeliveryMarkers.For(Channel, new string('x', 5000), OutboxKind.Alert);

        Assert.Matches("^ab1-[0-9a-f]{20}$", marker);
    }
}
