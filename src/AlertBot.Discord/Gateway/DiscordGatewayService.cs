using AlertBot.Core.Diagnostics;
using AlertBot.Core.Persistence;
using AlertBot.Discord.Interactions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord.Gateway;

/// <summary>
/// Runs the gateway connection and, beside it, the consumer that answers slash commands. With several instances
/// the connection runs under the <see cref="LeaseName"/> lease, so one bot session answers each interaction once;
/// the others stand by and take over when the holder stops or dies. The consumer runs everywhere: it only drains
/// what this instance's gateway queued.
/// </summary>
internal sealed class DiscordGatewayService : BackgroundService
{
    /// <summary>The lease whose holder keeps the gateway session.</summary>
    public const string LeaseName = "discord:gateway";

    private readonly DiscordGatewayClient _gateway;
    private readonly InteractionDispatcher _dispatcher;
    private readonly DiscordGatewayStatus _status;
    private readonly ILeaseProvider? _leases;
    private readonly TimeSpan _leaseRetry;
    private readonly TimeProvider _time;
    private readonly ILogger<DiscordGatewayService> _logger;

    /// <param name="leases">Who may connect; without one (a lone instance, tests) this instance simply connects.</param>
    public DiscordGatewayService(
        DiscordGatewayClient gateway,
        InteractionDispatcher dispatcher,
        DiscordGatewayStatus status,
        IOptions<LeaseOptions> leaseOptions,
        TimeProvider time,
        ILogger<DiscordGatewayService> logger,
        ILeaseProvider? leases = null)
    {
        _gateway = gateway;
        _dispatcher = dispatcher;
        _status = status;
        _leases = leases;
        _leaseRetry = leaseOptions.Value.RetryInterval;
        _time = time;
        _logger = logger;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            Task.Run(() => RunGatewayAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => _dispatcher.RunAsync(stoppingToken), CancellationToken.None));

    private Task RunGatewayAsync(CancellationToken stoppingToken) =>
        _leases is null
            ? _gateway.RunAsync(stoppingToken)
            : LeasedWork.RunAsync(_leases, LeaseName, _gateway.RunAsync, _status.Lease, _leaseRetry, _time, _logger, stoppingToken);
}

/// <summary>This instance's standing with the gateway lease, written by <see cref="DiscordGatewayService"/>.</summary>
public sealed class DiscordGatewayStatus
{
    public LeaseState Lease { get; } = new();
}

/// <summary>Ready when the gateway session is live (READY or RESUMED, not dropped since) or another instance holds it.</summary>
internal sealed class DiscordReadinessProbe(DiscordGatewayClient gateway, DiscordGatewayStatus status) : IReadinessProbe
{
    public string Name => "discord-gateway";

    public Task<Readiness> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(
        gateway.SessionLive ? new Readiness(true, "connected: session ready")
        : status.Lease.Role == LeaseRole.Standby ? new Readiness(true, "standby: another instance holds the gateway lease")
        : status.Lease.Role == LeaseRole.Unavailable ? new Readiness(false, "cannot reach the database to ask for the gateway lease")
        : new Readiness(false, "not connected to the gateway"));
}
