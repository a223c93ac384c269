using Npgsql;

namespace AlertBot.Storage.Postgres;

/// <summary>Builds the Npgsql data source (the connection pool) the store and the lease provider each own.</summary>
internal static class PostgresDataSource
{
    /// <exception cref="ArgumentException">The connection string cannot be parsed; the message never echoes it.</exception>
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = Parse(connectionString);

        // Names the connections in pg_stat_activity, so an operator can tell AlertBot's sessions apart.
        builder.ApplicationName ??= "AlertBot";
        return NpgsqlDataSource.Create(builder);
    }

    /// <exception cref="ArgumentException">Not a usable Npgsql connection string; the message names the problem, not the value.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // Npgsql's message names the keyword it did not understand, never the string's other values.
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {ex.Message}", nameof(connectionString), ex);
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ArgumentException("The PostgreSQL connection string names no Host.", nameof(connectionString));
        }

        return builder;
    }
}
