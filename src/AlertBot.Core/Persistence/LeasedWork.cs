using AlertBot.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Persistence;

/// <summary><c>AlertBot:Leases</c>: how instances share the singleton work (the Telegram poller, the Discord gateway).</summary>
public sealed class LeaseOptions
{
    public const string Section = "AlertBot:Leases";

    /// <summary>How often an instance on standby tries to take a lease another instance holds.</summary>
    [Duration("00:00:00.100", "00:10:00")] public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Binds and validates the section (at start-up); each adapter that runs leased work calls it.</summary>
    public static IServiceCollection AddTo(IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<LeaseOptions>(configuration.GetSection(Section));
        services.TryAddSingleton<LeasedWorkRunner>();
        return services;
    }
}

/// <summary>Where one instance stands with one lease; read by readiness probes.</summary>
public enum LeaseRole
{
    /// <summary>Not yet asked (the work has not started).</summary>
    NotStarted,

    /// <summary>This instance holds the lease and runs the work.</summary>
    Holder,

    /// <summary>Another instance holds the lease; this one waits and tries again.</summary>
    Standby,

    /// <summary>The lease could not even be asked for (the database is unreachable).</summary>
    Unavailable,

    /// <summary>The work ended (stopping, or it gave up for good).</summary>
    Stopped,
}

/// <summary>The current <see cref="LeaseRole"/> of one singleton, written by <see cref="LeasedWork"/>.</summary>
public sealed class LeaseState
{
    private volatile LeaseRole _role;

    public LeaseRole Role => _role;

    internal void Set(LeaseRole role) => _role = role;
}

/// <summary>
/// How an adapter runs its singleton work (the Telegram poller, the Discord gateway): under its named lease
/// (<see cref="LeasedWork"/>, retried every <see cref="LeaseOptions.RetryInterval"/>) when a lease provider is
/// registered, or simply at once without one (a lone instance, tests).
/// </summary>
public sealed class LeasedWorkRunner(IOptions<LeaseOptions> options, TimeProvider time, ILeaseProvider? leases = null)
{
    /// <summary>See <see cref="LeasedWork.RunAsync"/>; without a lease provider, <paramref name="work"/> itself.</summary>
    public Task RunAsync(string name, Func<CancellationToken, Task> work, LeaseState state, ILogger logger, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(work);
        return leases is null
            ? work(stop)
            : LeasedWork.RunAsync(leases, name, work, state, options.Value.RetryInterval, time, logger, stop);
    }
}

/// <summary>
/// Runs singleton work only while this instance holds its named lease. Another instance holding it puts this one
/// on standby, asking again every <see cref="LeaseOptions.RetryInterval"/>; the holder's work runs on a token that
/// stops with the host and with <see cref="ILease.Lost"/>, so a holder whose lease broke stops at once and competes
/// again. When the holder stops or dies, one of the standbys takes over on its next try.
/// </summary>
public static partial class LeasedWork
{
    /// <summary>
    /// Returns when <paramref name="stop"/> fires or when <paramref name="work"/> returns by itself (it has given up
    /// for good, as the Discord gateway does on a rejected token); the lease is released either way. Work that
    /// throws is logged and competes for the lease again after the retry interval.
    /// </summary>
    public static async Task RunAsync(
        ILeaseProvider leases,
        string name,
        Func<CancellationToken, Task> work,
        LeaseState state,
        TimeSpan retryInterval,
        TimeProvider time,
        ILogger logger,
        CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (await RunOnceAsync(leases, name, work, state, logger, stop))
                {
                    return;
                }

                await Task.Delay(retryInterval, time, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            state.Set(LeaseRole.Stopped);
        }
    }

    /// <returns>True when the work ended by itself and must not be started again.</returns>
    private static async Task<bool> RunOnceAsync(
        ILeaseProvider leases, string name, Func<CancellationToken, Task> work, LeaseState state, ILogger logger, CancellationToken stop)
    {
        ILease? lease;
        try
        {
            lease = await leases.TryAcquireAsync(name, stop);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            state.Set(LeaseRole.Unavailable);
            LogAcquireFailed(logger, name, ex);
            return false;
        }

        if (lease is null)
        {
            if (state.Role != LeaseRole.Standby)
            {
                LogStandby(logger, name);
            }

            state.Set(LeaseRole.Standby);
            return false;
        }

        await using (lease)
        {
            state.Set(LeaseRole.Holder);
            LogAcquired(logger, name);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, lease.Lost);
            try
            {
                await work(linked.Token);
                if (!linked.IsCancellationRequested)
                {
                    return true;
                }
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                LogWorkFailed(logger, name, ex);
            }

            if (lease.Lost.IsCancellationRequested && !stop.IsCancellationRequested)
            {
                LogLost(logger, name);
            }

            // Released here, before the wait: a standby instance can take over at once.
            state.Set(stop.IsCancellationRequested ? LeaseRole.Stopped : LeaseRole.NotStarted);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lease {Name} acquired: this instance runs it")]
    private static partial void LogAcquired(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lease {Name} is held by another instance: standing by")]
    private static partial void LogStandby(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {Name} lost: stopped its work, competing for it again")]
    private static partial void LogLost(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask for lease {Name}; trying again")]
    private static partial void LogAcquireFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The work under lease {Name} failed; released it, competing again")]
    private static partial void LogWorkFailed(ILogger logger, string name, Exception exception);
}
