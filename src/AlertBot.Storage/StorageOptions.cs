using AlertBot.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AlertBot.Storage;

/// <summary><c>AlertBot:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "AlertBot:Storage";

    /// <summary>Which database: only "Sqlite" for now.</summary>
    public string Provider { get; set; } = SqliteMigrator.Provider;

    /// <summary>The provider's connection string. May hold a password for server databases: never log it.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/alertbot.db";
}

/// <summary>Checks <see cref="StorageOptions"/> at start-up; every message names the bad key and never echoes the connection string.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (!string.Equals(options.Provider, SqliteMigrator.Provider, StringComparison.OrdinalIgnoreCase))
        {
            return ValidateOptionsResult.Fail(
                $"{StorageOptions.Section}:Provider must be '{SqliteMigrator.Provider}' (got '{options.Provider}'); no other database is supported yet.");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"{StorageOptions.Section}:ConnectionString is empty.");
        }

        try
        {
            var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
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
}
