using System.Text.Json;
using AlertBot.Core.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using AlertBot.Telegram;
using AlertBot.Telegram.Receiving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertBot.Worker.Health;

/// <summary>
/// /healthz (the process is alive), /readyz (every probe is ready: 200, else 503, with each probe's answer as JSON),
/// /metrics (Prometheus text, from OpenTelemetry), and in Telegram webhook mode the path of
/// <c>AlertBot:Telegram:WebhookUrl</c> (POST, checked against the secret token). Nothing else is served.
/// </summary>
public sealed class HealthEndpoints(IOptions<TelegramOptions> telegram) : IStartupFilter
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Request.Path == "/metrics");
        var webhookPath = telegram.Value is { Mode: TelegramMode.Webhook, WebhookUrl: { Length: > 0 } url } &&
                          Uri.TryCreate(url, UriKind.Absolute, out var webhook)
            ? webhook.AbsolutePath
            : null;
        app.Use(async (context, nextMiddleware) =>
        {
            if (webhookPath is not null && context.Request.Path == webhookPath && HttpMethods.IsPost(context.Request.Method))
            {
                var handler = context.RequestServices.GetRequiredService<TelegramWebhookHandler>();
                context.Response.StatusCode = await handler.HandleAsync(
                    context.Request.Headers[TelegramWebhookHandler.SecretHeader], context.Request.Body, context.RequestAborted);
                return;
            }

            switch (context.Request.Path.Value)
            {
                case "/healthz":
                    context.Response.ContentType = "text/plain";
                    await context.Response.WriteAsync("ok\n", context.RequestAborted);
                    return;
                case "/readyz":
                    await ReadyAsync(context);
                    return;
                default:
                    await nextMiddleware(context);
                    return;
            }
        });
        next(app);
        app.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    };

    private static async Task ReadyAsync(HttpContext context)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(ProbeTimeout);
        var probes = context.RequestServices.GetServices<IReadinessProbe>();
        var answers = new Dictionary<string, Readiness>(StringComparer.Ordinal);
        foreach (var probe in probes)
        {
            try
            {
                answers[probe.Name] = await probe.CheckAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                answers[probe.Name] = new Readiness(false, "timed out");
            }
        }

        var ready = answers.Values.All(a => a.Ready);
        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(
            context.Response.Body,
            new { ready, checks = answers.ToDictionary(a => a.Key, a => new { ready = a.Value.Ready, detail = a.Value.Detail }) },
            cancellationToken: context.RequestAborted);
    }
}
