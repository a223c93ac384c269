using System.Net.Sockets;
using Npgsql;

namespace AlertBot.Storage.Postgres;

/// <summary>
/// PostgreSQL's failures that an operator causes and can fix, told as "why. what to do". Server messages name the user
/// or the database, never the password; the connection string itself is never quoted.
/// </summary>
internal static class PostgresErrors
{
    private const string Key = StorageOptions.Section + ":ConnectionString";

    public static StorageUnavailableException NoSchema(string? searchPath) => new(
        $"the connection's Search Path ({searchPath ?? "the server's default"}) names no schema that exists. " +
        $"Create the schema (CREATE SCHEMA name) or correct Search Path in {Key}");

    /// <summary>The operator's version of <paramref name="ex"/>, or null when it is not one an operator can fix.</summary>
    public static StorageUnavailableException? Translate(NpgsqlException ex, NpgsqlConnectionStringBuilder connection)
    {
        var server = $"{connection.Host}:{connection.Port}";
        return ex switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } pg =>
                new(
                    $"PostgreSQL at {server} refused the login ({pg.MessageText}). Correct Username and Password in {Key}",
                    ex),
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } pg => new(
                $"PostgreSQL at {server} has no such database ({pg.MessageText}). Create it, or correct Database in {Key}", ex),
            PostgresException { SqlState: PostgresErrorCodes.InvalidSchemaName } => NoSchema(connection.SearchPath),
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } pg => new(
                $"the PostgreSQL user may not create AlertBot's tables ({pg.MessageText}). " +
                "Grant it CREATE on the schema, or run AlertBot once as the schema's owner",
                ex),
            { InnerException: SocketException or TimeoutException } => new(
                $"cannot reach PostgreSQL at {server} ({ex.InnerException.Message}). " +
                $"Check that the server runs and that Host and Port in {Key} are right",
                ex),
            _ => null,
        };
    }
}
