using System.Globalization;
using AlertBot.Core.Configuration;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Tests.Configuration;

public sealed class SettingBoundsTests
{
    [Theory]
    [InlineData("00:00:00", "0")]
    [InlineData("00:00:00.001", "1 ms")]
    [InlineData("00:00:00.050", "50 ms")]
    [InlineData("00:00:00.500", "500 ms")]
    [InlineData("00:00:01", "1 second")]
    [InlineData("00:00:01.500", "1.5 seconds")]
    [InlineData("00:00:05", "5 seconds")]
    [InlineData("00:01:40", "100 seconds")]
    [InlineData("00:01:00", "1 minute")]
    [InlineData("00:10:00", "10 minutes")]
    [InlineData("01:00:00", "1 hour")]
    [InlineData("1.00:00:00", "1 day")]
    [InlineData("1.12:00:00", "36 hours")]
    [InlineData("3650.00:00:00", "3650 days")]
    [InlineData("00:00:00.0000001", "0.0000001 seconds")]
    public void Durations_are_said_in_the_largest_whole_unit(string value, string words)
    {
        Assert.Equal(words, SettingBounds.Words(TimeSpan.Parse(value, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("AlertBot:Delivery:Parallelism", "0", "AlertBot:Delivery:Parallelism must be between 1 and 256.")]
    [InlineData("AlertBot:Delivery:Interval", "00:00:00.010", "AlertBot:Delivery:Interval must be between 50 ms and 1 hour.")]
    [InlineData("AlertBot:Polling:DefaultInterval", "8.00:00:00", "AlertBot:Polling:DefaultInterval must be between 5 seconds and 7 days.")]
    [InlineData("AlertBot:Polling:Jitter", "0.75", "AlertBot:Polling:Jitter must be between 0 and 0.5.")]
    public void A_value_out_of_bounds_is_refused_with_the_bounds_it_broke(string key, string value, string message)
    {
        var failures = Failures(key, value);

        Assert.Equal([message], failures);
    }

    [Theory]
    [InlineData("AlertBot:Delivery:Parallelism", "256")]
    [InlineData("AlertBot:Delivery:Interval", "00:00:00.050")]
    [InlineData("AlertBot:Polling:DefaultInterval", "7.00:00:00")]
    [InlineData("AlertBot:Polling:Jitter", "0.5")]
    public void The_bounds_themselves_are_allowed(string key, string value)
    {
        Assert.Empty(Failures(key, value));
    }

    [Fact]
    public void Settings_registered_by_two_projects_report_a_bad_value_once()
    {
        // AlertBot:Leases is added by the Telegram and the Discord adapter alike.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AlertBot:Leases:RetryInterval"] = "00:00:00.010" })
            .Build();
        var services = new ServiceCollection();
        LeaseOptions.AddTo(services, configuration);
        LeaseOptions.AddTo(services, configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LeaseOptions>>().Value);

        Assert.Equal(["AlertBot:Leases:RetryInterval must be between 100 ms and 10 minutes."], error.Failures);
    }

    [Fact]
    public void Bounds_and_values_read_the_same_under_a_culture_with_a_decimal_comma()
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            Assert.Empty(Failures("AlertBot:Polling:Jitter", "0.25"));
            Assert.Equal(["AlertBot:Polling:Jitter must be between 0 and 0.5."], Failures("AlertBot:Polling:Jitter", "0.75"));
            Assert.Equal(
                ["AlertBot:Delivery:ChannelTurn must be between 100 ms and 1 hour."],
                Failures("AlertBot:Delivery:ChannelTurn", "00:00:00.050"));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    private static string[] Failures(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var services = new ServiceCollection();
        services.AddValidatedOptions<PollingOptions>(configuration.GetSection(PollingOptions.Section));
        services.AddValidatedOptions<DeliveryOptions>(configuration.GetSection(DeliveryOptions.Section));
        using var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<PollingOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<DeliveryOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
    }
}
