namespace AlertBot.Storage.Postgres;

/// <summary>
/// Timestamps as PostgreSQL stores them: timestamptz, written as UTC DateTime (Npgsql refuses a non-zero offset) and
/// read back as the same instant with offset zero. timestamptz keeps microseconds, so the last 100 ns tick of a
/// DateTimeOffset is truncated on the way in.
/// </summary>
internal static class PostgresTime
{
    public static DateTime ToDb(DateTimeOffset value) => value.UtcDateTime;

    public static DateTime? ToDb(DateTimeOffset? value) => value?.UtcDateTime;

    public static DateTimeOffset FromDb(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? FromDb(DateTime? value) => value is { } v ? FromDb(v) : null;
}
