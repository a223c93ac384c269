using System.Globalization;

namespace AlertBot.Storage.Sqlite;

/// <summary>
/// Timestamps as SQLite stores them: UTC, fixed-width ISO-8601 with 100 ns ticks, so text order is time order,
/// SQL comparisons work on the text, and a DateTimeOffset comes back as the same instant to the tick.
/// </summary>
internal static class SqliteTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string ToText(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static string? ToText(DateTimeOffset? value) => value is { } v ? ToText(v) : null;

    public static DateTimeOffset FromText(string text) =>
        new(DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);

    public static DateTimeOffset? FromNullableText(string? text) => text is null ? null : FromText(text);
}
