using AlertBot.Storage.Postgres;
using AlertBot.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AlertBot.Storage;

/// <summary><c>AlertBot:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "AlertBot:Storage";

    /// <summary>The SQLite file used when nothing is configured.</summary>
    public const string DefaultConnectionString = "Data Source=data/alertbot.db";

    /// <summary>Which database: "Sqlite" (one instance) or "Postgres" (one or several instances); case-insensitive.</summary>
    public string Provider { get; set; } = SqliteAlertStore.Name;

    /// <summary>
    /// The provider's connection string: Microsoft.Data.Sqlite's for SQLite, Npgsql's for PostgreSQL. May hold a
    /// password: never log it.
    /// </summary>
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>
    /// PostgreSQL only: how long an instance's claim on outbox entries holds without progress before another instance
    /// may take them over (after a crash). Longer than the slowest channel's batch takes to send.
    /// </summary>
    public TimeSpan OutboxClaimLease { get; set; } = PostgresAlertStore.DefaultClaimLease;

    /// <summary>True for the PostgreSQL provider, the one several instances can share.</summary>
    public bool IsPostgres => string.Equals(Provider, PostgresAlertStore.Name, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Checks <see cref="StorageOptions"/> at start-up; every message names the bad key and never echoes the connection string.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var isSqlite = string.Equals(options.Provider, SqliteAlertStore.Name, StringComparison.OrdinalIgnoreCase);
        if (!isSqlite && !options.IsPostgres)
        {
            return ValidateOptionsResult.Fail(
                $"{StorageOptions.Section}:Provider must be '{SqliteAlertStore.Name}' or '{PostgresAlertStore.Name}' (got '{options.Provider}').");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"{StorageOptions.Section}:ConnectionString is empty.");
        }

        return options.IsPostgres ? ValidatePostgres(options) : ValidateSqlite(options.ConnectionString);
    }

    private static ValidateOptionsResult ValidateSqlite(string connectionString)
    {
        try
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.DataSource))
            {
                return ValidateOptionsResult.Fail($"{StorageOptions.Section}:ConnectionString names no Data Source.");
            }
        }
        catch (ArgumentException ex)
        {
            // The parser's message names the offending keyword only, not the value.
            return ValidateOptionsResult.Fail($"{StorageOptions.Section}:ConnectionString is not a valid SQLite connection string: {ex.Message}");
        }

        return ValidateOptionsResult.Success;
    }

    private static ValidateOptionsResult ValidatePostgres(StorageOptions options)
    {
        if (options.ConnectionString == StorageOptions.DefaultConnectionString)
        {
            return ValidateOptionsResult.Fail(
                $"{StorageOptions.Section}:ConnectionString must be set to an Npgsql connection string (Host=...;Database=...) " +
                $"when {StorageOptions.Section}:Provider is '{PostgresAlertStore.Name}'.");
        }

        if (options.OutboxClaimLease <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail($"{StorageOptions.Section}:OutboxClaimLease must be positive (got {options.OutboxClaimLease}).");
        }

        try
        {
            PostgresDataSource.Parse(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"{StorageOptions.Section}:ConnectionString: {ex.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
