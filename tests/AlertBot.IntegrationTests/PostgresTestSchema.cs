using Dapper;
using Npgsql;

namespace AlertBot.IntegrationTests;

/// <summary>
/// A schema of its own in the PostgreSQL test database (ALERTBOT_TEST_POSTGRES, started by <c>.ci/postgres.sh</c>),
/// for one test: the connection string's search path points into it, so the store's tables, Quartz's tables and
/// the advisory lock keys are the test's alone. Dropped afterwards, with every session still using it.
/// </summary>
public sealed class PostgresTestSchema : IAsyncDisposable
{
    private readonly string _admin;

    private PostgresTestSchema(string admin, string name)
    {
        _admin = admin;
        Name = name;

        // The application name marks every session of this test, so leftovers can be found and ended.
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { SearchPath = name, ApplicationName = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <exception cref="InvalidOperationException">No server and none could be started: the message says why.</exception>
    public static async Task<PostgresTestSchema> CreateAsync()
    {
        var admin = AlertBot.Testing.Postgres.TestPostgres.ConnectionString;

        var schema = new PostgresTestSchema(admin, $"alertbot_scale_{Guid.NewGuid():N}");
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await connection.ExecuteAsync($"CREATE SCHEMA {schema.Name}");
        return schema;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<T>(sql) ?? throw new InvalidOperationException($"No value for: {sql}");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await connection.ExecuteAsync(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @Name AND pid <> pg_backend_pid()",
            new { Name });
        await connection.ExecuteAsync($"DROP SCHEMA IF EXISTS {Name} CASCADE");
    }
}
