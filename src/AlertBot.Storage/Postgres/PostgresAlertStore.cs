using System.Data.Common;
using AlertBot.Core.Persistence;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AlertBot.Storage.Postgres;

/// <summary>
/// The store's ports on PostgreSQL, for one or several AlertBot instances sharing one database. What both databases
/// say alike is in <see cref="DapperAlertStore"/> (lists travel as arrays; timestamps as timestamptz); this folder adds
/// what sharing needs: migrations under an advisory lock, an outbox claim lease (see <see cref="ClaimDueAsync"/>) and
/// story locks across instances. One pooled connection per call.
/// </summary>
public sealed partial class PostgresAlertStore : DapperAlertStore, IDisposable, IAsyncDisposable
{
    /// <summary>How long a claim on outbox entries holds when the claiming instance stops making progress.</summary>
    public static readonly TimeSpan DefaultClaimLease = TimeSpan.FromMinutes(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeSpan _claimLease;
    private readonly string _connectionString;

    /// <param name="connectionString">An Npgsql connection string. It may hold a password: it is never logged.</param>
    /// <param name="claimLease">How long an outbox claim holds without progress; <see cref="DefaultClaimLease"/> when null.</param>
    /// <param name="timeProvider">Stamps what the callers give no time for (migration history); the system clock when null.</param>
    /// <param name="logger">Null logs nothing.</param>
    /// <param name="instanceId">Who claims outbox entries; a new unique id when null (tests give two stores their own).</param>
    public PostgresAlertStore(
        string connectionString,
        TimeSpan? claimLease = null,
        TimeProvider? timeProvider = null,
        ILogger<PostgresAlertStore>? logger = null,
        string? instanceId = null)
        : base(logger ?? (ILogger)NullLogger.Instance)
    {
        _claimLease = claimLease ?? DefaultClaimLease;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_claimLease, TimeSpan.Zero, nameof(claimLease));
        _connectionString = connectionString;
        _dataSource = PostgresDataSource.Create(connectionString);
        Time = timeProvider ?? TimeProvider.System;
        InstanceId = instanceId ?? $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    }

    /// <summary>What this store writes into <c>outbox.claimed_by</c>.</summary>
    public string InstanceId { get; }

    /// <summary>What <c>AlertBot:Storage:Provider</c> says for PostgreSQL; also the folder of its migrations.</summary>
    public const string Name = "Postgres";

    private protected override string Provider => Name;

    private protected override TimeProvider Time { get; }

    private protected override StorageUnavailableException? OperatorError(DbException exception) =>
        exception is NpgsqlException npgsql ? PostgresErrors.Translate(npgsql, PostgresDataSource.Parse(_connectionString)) : null;

    private protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>READ COMMITTED: each statement sees what committed before it started; row locks do the rest.</summary>
    private protected override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken);

    private protected override object ToDb(DateTimeOffset value) => PostgresTime.ToDb(value);

    // A move and a claim both lock channel rows, so they cannot interleave on one channel.
    private protected override string LockRows => "FOR UPDATE";

    private protected override string LockForUpdate => " FOR NO KEY UPDATE";

    private protected override string ReleaseClaim => ", " + NoClaim;

    private protected override string Json(string parameter) => parameter + "::json";

    private protected override object ToDbList<T>(IEnumerable<T> values) => values.ToArray();

    private protected override string ValuesOf(string parameter) => $"unnest({parameter}) AS value";

    private protected override string AnyOf(string column, string parameter) => $"{column} = ANY({parameter})";

    // bit_count needs PostgreSQL 14 or later.
    private protected override string Hamming(string left, string right) => $"bit_count(({left} # {right})::bit(64))";
}
