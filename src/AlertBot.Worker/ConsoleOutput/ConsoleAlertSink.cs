using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Summaries;

namespace AlertBot.Worker.ConsoleOutput;

/// <summary>
/// The embedded default: alerts printed to standard output (logs go to standard error), for a first run with no chat
/// configured and for piping into other tools.
/// </summary>
public sealed class ConsoleAlertSink(TextWriter output) : IAlertSink
{
    private readonly Lock _gate = new();

    public string Platform => Platforms.Console;

    public Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var text = Summarizer.ToPlainText(entry.Message);
        lock (_gate)
        {
            output.WriteLine($"=== ALERT {entry.IdempotencyKey} for {entry.Channel} ===");
            output.WriteLine(text);
            output.WriteLine();
            output.Flush();
        }

        return Task.FromResult<DeliveryResult>(new DeliveryResult.Delivered(null));
    }
}
