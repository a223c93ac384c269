using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Digests;
using AlertBot.Core.Stories;
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
        var text = entry.Kind == OutboxKind.Digest ? DigestBuilder.ToPlainText(entry.Message) : Summarizer.ToPlainText(entry.Message);
        var label = entry.Kind == OutboxKind.Digest ? "DIGEST" : "ALERT";
        lock (_gate)
        {
            output.WriteLine($"=== {label} {entry.IdempotencyKey} for {entry.Channel} ===");
            output.WriteLine(text);
            output.WriteLine();
            output.Flush();
        }

        // The key names the alert in what was printed, so a later "also:" line can say which alert it extends.
        return Task.FromResult<DeliveryResult>(new DeliveryResult.Delivered(entry.IdempotencyKey));
    }

    /// <summary>Printed text cannot change: the story's new outlets follow as one line naming the alert.</summary>
    public Task<DeliveryResult> EditAsync(OutboxEntry entry, string platformMessageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            output.WriteLine($"=== UPDATE of {platformMessageId} for {entry.Channel}: {entry.Message.Title} ===");
            output.WriteLine(StoryMessages.AlsoLine(entry.Message));
            output.WriteLine();
            output.Flush();
        }

        return Task.FromResult<DeliveryResult>(new DeliveryResult.Delivered(platformMessageId));
    }
}
