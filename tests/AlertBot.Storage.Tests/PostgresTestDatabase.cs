using AlertBot.Core.Persistence;
using AlertBot.Storage.Migrations;
using AlertBot.Storage.Postgres;
using AlertBot.Testing.Postgres;
using Dapper;
using Npgsql;

namespace AlertBot.Storage.Tests;

/// <summary>Marks the test classes that need the PostgreSQL server (skipped only when ALERTBOT_TEST_POSTGRES=skip).</summary>
public interface IUsesPostgres;

/// <summary>
/// A schema of its own in the test server's database, created for one test and dropped (with its sessions) afterwards.
/// The connection string's search path points into it, so the store's tables, its migration history and its advisory
/// lock keys (which include the schema) are the test's alone. A schema costs milliseconds; a database, a second.
/// </summary>
public sealed class PostgresTestDatabase : TestDatabase
{
    // Also the application name of every session of this test, so leftovers can be found and ended.
    private readonly string _name = $"alertbot_t_{Guid.NewGuid():N}";
    private string? _connectionString;
    private NpgsqlDataSource? _helper;

    public override string Provider => PostgresAlertStore.Name;

    public override string ConnectionString => _connectionString ?? throw new InvalidOperationException("Not initialised.");

    public override TimeSpan TimestampResolution => TimeSpan.FromMicroseconds(1);

    private NpgsqlDataSource Helper => _helper ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>An independent lease provider on this schema (another instance, as far as PostgreSQL can tell).</summary>
    public PostgresLeaseProvider NewLeaseProvider(TimeSpan? checkInterval = null) =>
        new(ConnectionString, TimeProvider.System, checkInterval: checkInterval);

    /// <summary>A store with its own instance id and claim lease, as another AlertBot instance would have.</summary>
    public PostgresAlertStore NewInstance(string instanceId, TimeSpan? claimLease = null)
    {
        return Track(new PostgresAlertStore(ConnectionString, claimLease, Time, instanceId: instanceId));
    }

    public override async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null)
    {
        await using var connection = await Helper.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql, param)).ToList();
    }

    public override async Task ExecuteAsync(string sql, object? param = null)
    {
        await using var connection = await Helper.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, param);
    }

    public override Task<IReadOnlyList<string>> ListTablesAsync() =>
        QueryAsync<string>("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename");

    public override async Task MigrateWithAsync(IReadOnlyList<MigrationScript> scripts)
    {
        await using var store = new PostgresAlertStore(ConnectionString, timeProvider: Time);
        await store.MigrateAsync(scripts, CancellationToken.None);
    }

    public override async Task InitializeAsync()
    {
        var admin = TestPostgres.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE SCHEMA {_name}");
        }

        _connectionString = new NpgsqlConnectionStringBuilder(admin) { SearchPath = _name, ApplicationName = _name }.ConnectionString;
        _helper = NpgsqlDataSource.Create(_connectionString);
    }

    protected override DapperAlertStore CreateStore() => new PostgresAlertStore(ConnectionString, timeProvider: Time);

    protected override async Task DropAsync()
    {
        if (_helper is null)
        {
            return;
        }

        await _helper.DisposeAsync();
        await using var connection = new NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();

        // End the sessions a test left behind (a lease, a store it did not dispose), then the schema.
        await connection.ExecuteAsync(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @Name AND pid <> pg_backend_pid()",
            new { Name = _name });
        await connection.ExecuteAsync($"DROP SCHEMA IF EXISTS {_name} CASCADE");
    }
}
