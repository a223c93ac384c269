using AlertBot.Core.Pipeline;
using Microsoft.Extensions.Hosting;

namespace AlertBot.Worker.Scheduling;

/// <summary>Writes the batched 304s (<see cref="PollStamps"/>) every <see cref="Period"/>, and what is left at shutdown.</summary>
public sealed class PollStampFlusher(PollStamps stamps, TimeProvider time) : BackgroundService
{
    internal static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Period, time, stoppingToken);
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Registered before the poll queue, so stopped after it: the last polls' stamps are in.
            await FlushAsync(CancellationToken.None);
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await stamps.FlushAsync(cancellationToken);
        }
#pragma warning disable CA1031 // Logged by PollStamps and kept for the next flush; the loop must go on.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
        }
    }
}
