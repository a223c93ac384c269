using AlertBot.Core;
using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Configuration;
using AlertBot.Discord;
using AlertBot.Feeds;
using AlertBot.Storage;
using AlertBot.Telegram;
using AlertBot.Worker.ConsoleOutput;
using AlertBot.Worker.Scheduling;
using AlertBot.Core.Diagnostics;
using AlertBot.Worker.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Quartz;

namespace AlertBot.Worker.Hosting;

public enum HostMode
{
    /// <summary>The long-running service: scheduler, chat receivers, health.</summary>
    Service,

    /// <summary>A CLI verb: the same services, nothing started in the background.</summary>
    Command,
}

/// <summary>The one place that wires every project together.</summary>
public static class AlertBotHost
{
    /// <summary>Environment variable naming the configuration file (default: config/appsettings.json).</summary>
    public const string ConfigFileVariable = "ALERTBOT_CONFIG";

    /// <summary>The OpenTelemetry service name (<c>service_name</c> in /metrics' target_info).</summary>
    public const string ServiceName = "alertbot";

    /// <param name="alertOutput">Where the console channel prints alerts; standard output when null.</param>
    /// <param name="overrides">Configuration that wins over files and environment (tests).</param>
    public static WebApplicationBuilder CreateBuilder(
        HostMode mode,
        TextWriter? alertOutput = null,
        IReadOnlyDictionary<string, string?>? overrides = null)
    {
        // An empty builder: no configuration, logging or server defaults that this method does not choose itself.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
        });

        var configFile = Environment.GetEnvironmentVariable(ConfigFileVariable) is { Length: > 0 } named
            ? Path.GetFullPath(named)
            : FilePaths.Resolve("config/appsettings.json");
        builder.Configuration
            .AddJsonFile(configFile, optional: false)
            .AddJsonFile(
                Path.Combine(Path.GetDirectoryName(configFile)!, $"appsettings.{builder.Environment.EnvironmentName}.json"),
                optional: true)
            .AddEnvironmentVariables()
            .AddSecretFiles();
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));

        // A start that fails ("Hosting failed to start") is told once, by the CLI's one-line message (CliApp.RunAsync),
        // not a second time here with the stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        AddConsoleLogging(builder.Logging, builder.Configuration);

        var configuration = builder.Configuration;
        builder.Services.AddValidatedOptions<LoggingOptions>(configuration.GetSection(LoggingOptions.Section));
        builder.Services
            .AddAlertBotCore(configuration)
            .AddAlertBotFeeds(configuration)
            .AddAlertBotStorage(configuration)
            .AddAlertBotCommands(configuration);
        if (mode == HostMode.Service)
        {
            // The first hosted service, and the host starts them one after another: migrations and feeds are in place
            // before a chat receiver reads its saved state (Telegram's update offset) or the scheduler fires anything.
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Bootstrapper>());
        }

        builder.Services
            .AddAlertBotTelegram(configuration)
            .AddAlertBotDiscord(configuration);

        builder.Services.AddValidatedOptions<ConsoleOptions>(configuration.GetSection(ConsoleOptions.Section));
        // The adapters above registered themselves if their own options turned them on.
        var consoleEnabled = configuration.GetValue<bool?>($"{ConsoleOptions.Section}:Enabled") ?? !builder.Services.HasChatAdapter();
        builder.Services.AddSingleton(new ConsoleActivation(consoleEnabled));
        if (consoleEnabled)
        {
            builder.Services.AddSingleton<IAlertSink>(new ConsoleAlertSink(alertOutput ?? Console.Out));
        }

        builder.Services.AddSingleton<Bootstrapper>();
        builder.Services.AddSingleton<IReadinessProbe, DatabaseProbe>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(AlertBotMetrics.MeterName)
                .AddPrometheusExporter());
        if (mode == HostMode.Command)
        {
            // A CLI verb never serves HTTP; the web host still wants a server registered to build and dispose.
            builder.Services.AddSingleton<IServer, NoServer>();
        }
        else
        {
            var health = configuration.GetSection(HealthOptions.Section).Get<HealthOptions>() ?? new HealthOptions();
            if (health.Enabled)
            {
                builder.WebHost.UseKestrelCore().UseUrls(health.Urls);
                builder.Services.AddRouting();
                builder.Services.AddSingleton<IStartupFilter, HealthEndpoints>();
            }
            else
            {
                // The web host still wants a server to start; one that listens nowhere keeps the endpoint off.
                builder.Services.AddSingleton<IServer, NoServer>();
            }

            builder.Services.AddSingleton<IReadinessProbe, SchedulerProbe>();
            builder.Services.AddAlertBotScheduler(configuration);
            builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
            builder.Services.AddHostedService<FeedScheduleService>();
            builder.Services.AddHostedService<DeliveryWakeUp>();
            builder.Services.AddHostedService<PollSummaryService>();
            builder.Services.AddHostedService<MetricsWarmUp>();
        }

        return builder;
    }

    /// <summary>
    /// Console logging to standard error (standard output carries alerts and command results only): one line per
    /// entry with a UTC date and time, or JSON lines with <c>AlertBot:Logging:Format=json</c> (or the standard
    /// <c>Logging:Console:FormatterName</c>).
    /// </summary>
    private static void AddConsoleLogging(ILoggingBuilder logging, ConfigurationManager configuration)
    {
        logging.AddConsole();
        logging.Services.Configure<SimpleConsoleFormatterOptions>(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            o.UseUtcTimestamp = true;
        });
        logging.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
            o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
        });
        var chosen = configuration[$"{LoggingOptions.Section}:Format"]?.Trim().ToLowerInvariant() switch
        {
            "json" => ConsoleFormatterNames.Json,
            "simple" => ConsoleFormatterNames.Simple,
            _ => null,
        };

        // After the configuration is bound; without a formatter name the console logger would fall back to its
        // obsolete settings and drop the formatter options above.
        logging.Services.PostConfigure<ConsoleLoggerOptions>(o =>
        {
            o.FormatterName = chosen ?? o.FormatterName ?? ConsoleFormatterNames.Simple;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
    }
}
