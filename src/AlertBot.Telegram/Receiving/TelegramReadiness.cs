using AlertBot.Core.Diagnostics;
using AlertBot.Core.Persistence;
using Microsoft.Extensions.Options;

namespace AlertBot.Telegram.Receiving;

/// <summary>What the update receiver last achieved, for <see cref="TelegramReadinessProbe"/>; written by the receiver.</summary>
public sealed class TelegramReceiverStatus
{
    private long _startedUpTicks;
    private long _lastPollTicks;
    private volatile bool _webhook;
    private volatile bool _tokenRefused;

    /// <summary>This instance's standing with the poller lease.</summary>
    public LeaseState Lease { get; } = new();

    public bool Webhook => _webhook;

    /// <summary>The Bot API answered 401/404 (the token is wrong or revoked) and has not accepted it since.</summary>
    public bool TokenRefusedNow => _tokenRefused;

    public DateTimeOffset? StartedUpAt => Read(ref _startedUpTicks);

    /// <summary>When polling began or getUpdates last answered, whichever is later.</summary>
    public DateTimeOffset? LastPollAt => Read(ref _lastPollTicks);

    internal void StartedUp(bool webhook, DateTimeOffset at)
    {
        _tokenRefused = false;
        _webhook = webhook;
        Interlocked.Exchange(ref _startedUpTicks, at.UtcTicks);
    }

    internal void Polled(DateTimeOffset at)
    {
        _tokenRefused = false;
        Interlocked.Exchange(ref _lastPollTicks, at.UtcTicks);
    }

    internal void TokenRefused() => _tokenRefused = true;

    private static DateTimeOffset? Read(ref long ticks)
    {
        var value = Interlocked.Read(ref ticks);
        return value == 0 ? null : new DateTimeOffset(value, TimeSpan.Zero);
    }
}

/// <summary>
/// Ready when updates can reach this bot: the webhook is set; or this instance polls and getUpdates answered within
/// one long poll plus its deadline; or another instance holds the poller lease (this one is a healthy standby).
/// Reads memory only.
/// </summary>
public sealed class TelegramReadinessProbe(TelegramReceiverStatus status, IOptions<TelegramOptions> options, TimeProvider time) : IReadinessProbe
{
    // Beyond one long poll and its deadline: the loop's own bookkeeping between two calls.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(10);

    public string Name => "telegram";

    public Task<Readiness> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(Check());

    private Readiness Check()
    {
        if (status.TokenRefusedNow)
        {
            return new Readiness(false, "unauthorized: the token was refused (check AlertBot:Telegram:Token)");
        }

        if (status.StartedUpAt is null)
        {
            return new Readiness(false, "starting: the Bot API has not answered yet");
        }

        if (status.Webhook)
        {
            return new Readiness(true, "webhook set");
        }

        switch (status.Lease.Role)
        {
            case LeaseRole.Standby:
                return new Readiness(true, "standby: another instance holds the poller lease");
            case LeaseRole.Unavailable:
                return new Readiness(false, "cannot reach the database to ask for the poller lease");
        }

        var window = options.Value.PollTimeout + options.Value.RequestTimeout + Slack;
        return status.LastPollAt is { } last && time.GetUtcNow() - last <= window
            ? new Readiness(true, "receiving: getUpdates answered recently")
            : new Readiness(false, "getUpdates has not answered recently");
    }
}
