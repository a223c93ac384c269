using System.Collections.Concurrent;
using AlertBot.Core.Alerts;

namespace AlertBot.Testing.Fakes;

/// <summary>
/// A hand-written sink for the delivery port: records every alert it accepts, and can be told to fail the next
/// sends (with a retry, a platform wait, an exception, or "channel gone").
/// </summary>
public sealed class RecordingAlertSink(string platform = "test") : IAlertSink
{
    private readonly ConcurrentQueue<Func<OutboxEntry, DeliveryResult>> _script = new();
    private readonly ConcurrentQueue<OutboxEntry> _delivered = new();
    private int _attempts;

    public string Platform => platform;

    /// <summary>Every entry accepted, in the order it was accepted.</summary>
    public IReadOnlyList<OutboxEntry> Delivered => [.. _delivered];

    /// <summary>Every call, accepted or not.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>The next <paramref name="count"/> sends answer a retryable failure.</summary>
    public RecordingAlertSink FailNext(int count, string reason = "scripted failure", TimeSpan? after = null)
    {
        for (var i = 0; i < count; i++)
        {
            _script.Enqueue(_ => new DeliveryResult.Retry(reason, after));
        }

        return this;
    }

    /// <summary>The next send throws, as a buggy transport would.</summary>
    public RecordingAlertSink ThrowNext(Exception exception)
    {
        _script.Enqueue(_ => throw exception);
        return this;
    }

    /// <summary>The next send answers what <paramref name="answer"/> returns (a test may act at the moment of the send).</summary>
    public RecordingAlertSink AnswerNext(Func<OutboxEntry, DeliveryResult> answer)
    {
        _script.Enqueue(answer);
        return this;
    }

    /// <summary>Asked on every send the script does not answer: a result to return, or null to deliver as usual.</summary>
    public Func<OutboxEntry, DeliveryResult?>? Rule { get; set; }

    public RecordingAlertSink GoneNext(string reason = "blocked by the user")
    {
        _script.Enqueue(_ => new DeliveryResult.ChannelGone(reason));
        return this;
    }

    public Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (_script.TryDequeue(out var scripted))
        {
            return Task.FromResult(scripted(entry));
        }

        if (Rule?.Invoke(entry) is { } ruled)
        {
            return Task.FromResult(ruled);
        }

        _delivered.Enqueue(entry);
        return Task.FromResult<DeliveryResult>(new DeliveryResult.Delivered($"m{entry.Id}"));
    }

    /// <summary>Every edit accepted: the entry and the message id it edited, in order.</summary>
    public IReadOnlyList<(OutboxEntry Entry, string MessageId)> Edits => [.. _edits];

    private readonly ConcurrentQueue<(OutboxEntry, string)> _edits = new();

    public Task<DeliveryResult> EditAsync(OutboxEntry entry, string platformMessageId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (_script.TryDequeue(out var scripted))
        {
            return Task.FromResult(scripted(entry));
        }

        _edits.Enqueue((entry, platformMessageId));
        return Task.FromResult<DeliveryResult>(new DeliveryResult.Delivered(platformMessageId));
    }
}
