using Microsoft.Data.Sqlite;
using static SQLitePCL.raw;

namespace AlertBot.Storage.Sqlite;

/// <summary>
/// SQLite's failures that an operator causes and can fix, told as "why. what to do" with the file and folder named.
/// The container image runs as UID 1654 (the .NET images' <c>app</c> user), the usual owner to give a bind mount.
/// </summary>
internal static class SqliteErrors
{
    public static string FolderNotWritable(string file, string reason) =>
        $"cannot open the SQLite database {file} ({reason.TrimEnd('.')}). " +
        $"The folder {Path.GetDirectoryName(file)} must exist and be writable by the user AlertBot runs as " +
        "(UID 1654 in the container image: e.g. `chown -R 1654 ./data` for a bind mount)";

    /// <summary>The operator's version of <paramref name="ex"/>, or null when it is not one an operator can fix.</summary>
    public static StorageUnavailableException? Translate(SqliteException ex, string? file)
    {
        var name = file ?? "(in memory)";
        return ex.SqliteErrorCode switch
        {
            SQLITE_CANTOPEN or SQLITE_READONLY or SQLITE_PERM => new StorageUnavailableException(FolderNotWritable(name, Trim(ex.Message)), ex),
            SQLITE_NOTADB or SQLITE_CORRUPT => new StorageUnavailableException(
                $"{name} is not an SQLite database or is damaged ({Trim(ex.Message)}). " +
                "Restore it from a backup (see `alertbot backup`), or move it away to start with an empty database",
                ex),
            _ => null,
        };
    }

    // "SQLite Error 14: 'unable to open database file'." → "unable to open database file"
    private static string Trim(string message)
    {
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = message.LastIndexOf('\'');
        return start >= 0 && end > start ? message[(start + 1)..end] : message.TrimEnd('.');
    }
}
