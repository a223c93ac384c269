using System.Text.Json;
using AlertBot.Testing.Feeds;
using AlertBot.Worker.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace AlertBot.Worker.Tests;

/// <summary>Logs and metrics that scale: counters at zero from the start, buckets in seconds, one line per failure.</summary>
/// <remarks>
/// Runs alone: OpenTelemetry listens to every meter named "AlertBot" in the process, so while another test class
/// disposes a host of its own, the instruments of the same names end and this host's /metrics loses those series.
/// </remarks>
[Collection(nameof(ObservabilityTests))]
public sealed class ObservabilityTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "alertbot-obs-" + Guid.NewGuid().ToString("N"));
    private LoopbackFeedServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _server = await LoopbackFeedServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private Microsoft.AspNetCore.Builder.WebApplicationBuilder CreateSut(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, "alertbot.db")}",
            ["AlertBot:Console:Enabled"] = "true",
            ["AlertBot:Fetch:AllowedNetworks:0"] = "127.0.0.1/32",
            ["AlertBot:Polling:Jitter"] = "0",
            ["AlertBot:Polling:Feeds:0:Url"] = _server.Url("/broken"),
            ["AlertBot:Polling:Feeds:0:Name"] = "Broken",
            ["AlertBot:Polling:Feeds:0:Interval"] = "01:00:00",
            ["AlertBot:Health:Urls"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, settings);
    }

    [Fact]
    public async Task Metrics_start_at_zero_name_the_service_and_a_failed_poll_is_one_log_line_without_a_stack_trace()
    {
        _server.Set("/broken", LoopbackResponse.WithStatus(500));
        var builder = CreateSut();
        builder.Logging.AddFakeLogging();
        await using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var http = new HttpClient { BaseAddress = new Uri(address) };

            // Series nothing has happened to yet are there, at zero.
            var first = await http.GetStringAsync("/metrics");
            Assert.Matches(@"alertbot_alerts_delivered(_total)?\{[^}]*platform=""telegram""[^}]*\} 0", first);
            Assert.Matches(@"alertbot_polls_missed(_total)?\{[^}]*\} 0|alertbot_polls_missed(_total)? 0", first);
            Assert.Matches(@"alertbot_feed_errors(_total)?\{[^}]*kind=""TooLarge""[^}]*\} 0", first);
            Assert.Contains("service_name=\"alertbot\"", first, StringComparison.Ordinal);
            Assert.DoesNotContain("unknown_service", first, StringComparison.Ordinal);

            // The first poll (at once: jitter 0) fails; it is counted, and the metrics carry no feed label.
            var metrics = first;
            var deadline = DateTimeOffset.UtcNow + Wait;
            // Both counts: the feed's error is counted during the poll, the poll's status when it has finished.
            while (!System.Text.RegularExpressions.Regex.IsMatch(metrics, @"alertbot_feed_errors(_total)?\{[^}]*kind=""HttpStatus""[^}]*\} 1") ||
                   !System.Text.RegularExpressions.Regex.IsMatch(metrics, @"alertbot_polls(_total)?\{[^}]*status=""Failed""[^}]*\} 1"))
            {
                if (DateTimeOffset.UtcNow > deadline)
                {
                    var logs = string.Join("\n", host.Services.GetFakeLogCollector().GetSnapshot().Select(r => $"{r.Level} {r.Category}: {r.Message} {r.Exception?.GetType().Name}"));
                    Assert.Fail($"The failed poll was not counted within {Wait}. Metrics:\n{metrics}\nLogs:\n{logs}");
                }

                await Task.Delay(100);
                metrics = await http.GetStringAsync("/metrics");
            }

            Assert.DoesNotContain("feed=\"", metrics, StringComparison.Ordinal);
            // Poll durations in seconds, with buckets from milliseconds to tens of seconds.
            Assert.Matches(@"alertbot_poll_duration_seconds_bucket\{[^}]*le=""0.005""", metrics);
            Assert.Matches(@"alertbot_poll_duration_seconds_bucket\{[^}]*le=""30""", metrics);

            var lines = host.Services.GetFakeLogCollector().GetSnapshot()
                .Where(r => r.Level >= LogLevel.Warning && r.Message.Contains("/broken", StringComparison.Ordinal) ||
                            r.Level >= LogLevel.Warning && r.Message.Contains("Broken", StringComparison.Ordinal))
                .ToList();
            var line = Assert.Single(lines);
            Assert.Null(line.Exception);
            Assert.Contains("500", line.Message, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void The_console_log_has_dates_and_json_is_one_object_per_line_when_asked_for()
    {
        using (var simple = CreateSut().Build())
        {
            var line = Format(simple.Services);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} warn: Test\[0\] Feed x failed", line);
        }

        using var json = CreateSut(new() { ["AlertBot:Logging:Format"] = "json" }).Build();
        var text = Format(json.Services);
        Assert.DoesNotContain('\n', text.TrimEnd());
        using var document = JsonDocument.Parse(text);
        Assert.Equal("Warning", document.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal("Feed x failed", document.RootElement.GetProperty("Message").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T", document.RootElement.GetProperty("Timestamp").GetString());
    }

    [Fact]
    public void An_unknown_log_format_stops_the_start_naming_the_key()
    {
        using var host = CreateSut(new() { ["AlertBot:Logging:Format"] = "xml" }).Build();
        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<LoggingOptions>>().Value);
        Assert.Contains("AlertBot:Logging:Format", error.Message, StringComparison.Ordinal);
    }

    /// <summary>One entry through the console formatter the host chose, as the console would print it.</summary>
    private static string Format(IServiceProvider services)
    {
        var name = services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName;
        var formatter = services.GetServices<ConsoleFormatter>().Single(f => f.Name == name);
        using var writer = new StringWriter();
        var entry = new LogEntry<string>(LogLevel.Warning, "Test", new EventId(0), "Feed x failed", null, (s, _) => s);
        formatter.Write(entry, null, writer);
        return writer.ToString();
    }
}

/// <summary>See <see cref="ObservabilityTests"/>: its hosts' metrics must not share the process with other hosts.</summary>
[CollectionDefinition(nameof(ObservabilityTests), DisableParallelization = true)]
public sealed class ObservabilityTestsRunAlone;
