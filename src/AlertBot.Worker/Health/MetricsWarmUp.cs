using AlertBot.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace AlertBot.Worker.Health;

/// <summary>
/// Puts every AlertBot counter on /metrics at zero from the start: a measurement counts only once the exporter
/// listens, so the zeros are reported again after the meter provider exists.
/// </summary>
public sealed class MetricsWarmUp(IServiceProvider services, AlertBotMetrics metrics) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetService<MeterProvider>();
        metrics.ReportZeros();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
