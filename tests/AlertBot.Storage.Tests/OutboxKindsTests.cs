using AlertBot.Core.Alerts;
using AlertBot.Core.Digests;
using AlertBot.Storage.Outbox;

namespace AlertBot.Storage.Tests;

public sealed class OutboxKindsTests
{
    [Fact]
    public void Every_outbox_kind_has_a_stored_name_that_reads_back_as_itself()
    {
        var names = Enum.GetValues<OutboxKind>().Select(OutboxKinds.ToText).ToArray();

        Assert.Equal(["alert", "update", "digest"], names);
        Assert.Equal(Enum.GetValues<OutboxKind>(), names.Select(OutboxKinds.FromText));
    }

    [Fact]
    public void Every_digest_mode_has_a_stored_name_that_reads_back_as_itself()
    {
        var names = Enum.GetValues<DigestMode>().Select(OutboxKinds.ToText).ToArray();

        Assert.Equal(["off", "hourly", "daily"], names);
        Assert.Equal(Enum.GetValues<DigestMode>(), names.Select(OutboxKinds.DigestFromText));
    }

    [Fact]
    public void A_held_row_reads_as_an_alert_and_an_unknown_mode_as_off()
    {
        Assert.Equal(OutboxKind.Alert, OutboxKinds.FromText(OutboxKinds.Held));
        Assert.Equal(DigestMode.Off, OutboxKinds.DigestFromText("weekly"));
    }

    [Fact]
    public void A_value_without_a_stored_name_is_refused_on_write()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OutboxKinds.ToText((OutboxKind)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => OutboxKinds.ToText((DigestMode)99));
    }
}
