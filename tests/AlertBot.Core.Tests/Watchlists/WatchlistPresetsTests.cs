using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Tests.Watchlists;

public sealed class WatchlistPresetsTests
{
    [Fact]
    public void Shipped_default_preset_is_Qaani_Houthis_Red_Sea()
    {
        var presets = WatchlistPresets.Load(ShippedFiles.WatchlistsPath);

        var preset = presets.Find("Default");

        Assert.NotNull(preset);
        Assert.Equal(["Qaani", "Houthis", "Red Sea"], preset.Terms);
        Assert.Null(presets.Find("nope"));
    }

    [Fact]
    public void Every_shipped_preset_term_names_a_shipped_actor()
    {
        var presets = WatchlistPresets.Load(ShippedFiles.WatchlistsPath);

        Assert.NotEmpty(presets);
        Assert.All(presets.SelectMany(p => p.Terms), term => Assert.NotNull(ShippedFiles.Actors.Resolve(term)));
    }

    [Theory]
    [InlineData("{ \"presets\": [ { \"name\": \"a\", \"terms\": [\"x\"] }, { \"name\": \"A\", \"terms\": [\"y\"] } ] }", "preset \"A\" is defined twice")]
    [InlineData("{ \"presets\": [ { \"name\": \"a\", \"terms\": [] } ] }", "preset \"a\" needs a \"terms\" array")]
    [InlineData("{ \"presets\": [ { \"name\": \"a\", \"terms\": [\" \"] } ] }", "preset \"a\" needs a \"terms\" array")]
    [InlineData("{ \"presets\": [ { \"terms\": [\"x\"] } ] }", "presets[0] has no \"name\"")]
    [InlineData("{ \"presets\": [ { \"name\": \"a\", \"term\": [\"x\"] } ] }", "term")]
    [InlineData("[]", "not valid")]
    public void A_bad_file_throws_naming_the_file_and_the_fault(string content, string fault) =>
        TempDirectory.AssertLoadFails(path => WatchlistPresets.Load(path), content, fault);
}
