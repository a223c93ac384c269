using System.Globalization;
using System.Text.RegularExpressions;

namespace AlertBot.Feeds.Parsing;

/// <summary>
/// Dates as feeds really write them: RFC 822/1123 (with missing seconds, two-digit years, full month names, named and
/// military zones, month before day) and RFC 3339/ISO 8601 (basic or extended, with or without a zone, a year and month
/// or a year alone, an ordinal day), asctime ("Sun Jan  4 16:29:06 PST 2004") and Perforce ("2006/01/27 11:04:17 EST").
/// As in feedparser, a time field may have one digit ("12:35:9"). A date with no zone is UTC.
/// </summary>
public static partial class FeedDates
{
    private static readonly Dictionary<string, int> ZoneMinutes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0, ["WET"] = 0,
        ["EST"] = -300, ["EDT"] = -240, ["CST"] = -360, ["CDT"] = -300,
        ["MST"] = -420, ["MDT"] = -360, ["PST"] = -480, ["PDT"] = -420,
        ["AST"] = -240, ["ADT"] = -180, ["NST"] = -210, ["NDT"] = -150,
        ["AKST"] = -540, ["AKDT"] = -480, ["HST"] = -600,
        ["BST"] = 60, ["WEST"] = 60, ["CET"] = 60, ["MET"] = 60, ["CEST"] = 120, ["MEST"] = 120,
        ["EET"] = 120, ["EEST"] = 180, ["MSK"] = 180, ["IRST"] = 210, ["IST"] = 330,
        ["SGT"] = 480, ["HKT"] = 480, ["JST"] = 540, ["KST"] = 540,
        ["AEST"] = 600, ["AEDT"] = 660, ["NZST"] = 720, ["NZDT"] = 780,
    };

    private static readonly string[] Months =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    public static DateTimeOffset? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var s = text.Trim();
        if (s.Length > 100)
        {
            return null; // no real date is this long; do not feed the patterns a megabyte
        }

        return ParseIso(s) ?? ParseOrdinal(s) ?? ParseRfc822(s) ?? ParseNamedMonth(AsctimePattern().Match(s)) ??
               ParseNamedMonth(MonthFirstPattern().Match(s)) ?? ParsePerforce(s) ?? ParseFallback(s);
    }

    private static DateTimeOffset? ParseIso(string s)
    {
        var m = IsoPattern().Match(s);
        if (!m.Success)
        {
            return null;
        }

        var fraction = m.Groups["f"].Success ? double.Parse("0." + m.Groups["f"].Value, CultureInfo.InvariantCulture) : 0;
        var offset = ParseNumericOrNamedZone(m.Groups["z"].Value);
        return BuildTime(m, Int(m, "y"), m.Groups["mo"].Success ? Int(m, "mo") : 1, m.Groups["d"].Success ? Int(m, "d") : 1, offset ?? 0, fraction);
    }

    private static DateTimeOffset? ParseRfc822(string s)
    {
        var m = Rfc822Pattern().Match(s);
        if (!m.Success)
        {
            return null;
        }

        var monthName = m.Groups["mo"].Value;
        var month = Array.FindIndex(Months, x => monthName.StartsWith(x, StringComparison.OrdinalIgnoreCase)) + 1;
        if (month == 0)
        {
            return null;
        }

        var year = Int(m, "y");
        if (m.Groups["y"].Value.Length <= 2)
        {
            year += year < 50 ? 2000 : 1900;
        }

        var offset = m.Groups["z"].Success ? ParseNumericOrNamedZone(m.Groups["z"].Value) : 0;
        return BuildTime(m, year, month, Int(m, "d"), offset ?? 0, 0);
    }

    /// <summary>An ISO 8601 ordinal date: "2003-335" or "2003335", with an optional time as in the calendar form.</summary>
    private static DateTimeOffset? ParseOrdinal(string s)
    {
        var m = OrdinalPattern().Match(s);
        if (!m.Success)
        {
            return null;
        }

        var year = Int(m, "y");
        var day = Int(m, "doy");
        if (year < 1 || day < 1 || day > (DateTime.IsLeapYear(year) ? 366 : 365))
        {
            return null;
        }

        var date = new DateTime(year, 1, 1).AddDays(day - 1);
        return BuildTime(m, year, date.Month, date.Day, ParseNumericOrNamedZone(m.Groups["z"].Value) ?? 0, 0);
    }

    /// <summary>A date whose month is named, from a match with groups y, mo (a name), d, and optional h, mi, s, z.</summary>
    private static DateTimeOffset? ParseNamedMonth(Match m)
    {
        if (!m.Success)
        {
            return null;
        }

        var monthName = m.Groups["mo"].Value;
        var month = Array.FindIndex(Months, x => monthName.StartsWith(x, StringComparison.OrdinalIgnoreCase)) + 1;
        return month == 0 ? null : BuildTime(m, Int(m, "y"), month, Int(m, "d"), m.Groups["z"].Success ? ParseNumericOrNamedZone(m.Groups["z"].Value) ?? 0 : 0, 0);
    }

    private static DateTimeOffset? ParsePerforce(string s)
    {
        var m = PerforcePattern().Match(s);
        return !m.Success ? null : BuildTime(m, Int(m, "y"), Int(m, "mo"), Int(m, "d"), m.Groups["z"].Success ? ParseNumericOrNamedZone(m.Groups["z"].Value) ?? 0 : 0, 0);
    }

    private static DateTimeOffset? ParseFallback(string s) =>
        DateTimeOffset.TryParse(
            s,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal,
            out var value)
            ? value
            : null;

    /// <summary>Minutes east of UTC; null for an unknown name (treated as UTC by the caller).</summary>
    private static int? ParseNumericOrNamedZone(string zone)
    {
        if (zone.Length == 0)
        {
            return 0;
        }

        if (zone[0] is '+' or '-')
        {
            var digits = zone[1..].Replace(":", "", StringComparison.Ordinal);
            if (digits.Length is not (2 or 4) || !digits.All(char.IsAsciiDigit))
            {
                return null;
            }

            var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
            var minutes = digits.Length == 4 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
            var total = (hours * 60) + minutes;
            return zone[0] == '-' ? -total : total;
        }

        // RFC 2822 says single-letter military zones are too often wrong to trust: read them as UTC.
        return ZoneMinutes.TryGetValue(zone, out var known) ? known : 0;
    }

    private static DateTimeOffset? Build(int year, int month, int day, int hour, int minute, int second, int offsetMinutes, double fraction)
    {
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) ||
            hour > 24 || minute > 59 || second > 60 || Math.Abs(offsetMinutes) > 14 * 60)
        {
            return null;
        }

        // 24:00 and leap seconds appear in the wild; carry them over instead of rejecting the date.
        var extra = TimeSpan.Zero;
        if (hour == 24)
        {
            hour = 0;
            extra += TimeSpan.FromDays(1);
        }

        if (second == 60)
        {
            second = 59;
            extra += TimeSpan.FromSeconds(1);
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified)
            .AddTicks((long)(fraction * TimeSpan.TicksPerSecond)) + extra;
        return new DateTimeOffset(local, TimeSpan.FromMinutes(offsetMinutes));
    }

    /// <summary>The date with the match's optional h, mi and s groups as its time (0 where absent).</summary>
    private static DateTimeOffset? BuildTime(Match m, int year, int month, int day, int offsetMinutes, double fraction) =>
        Build(year, month, day, Optional(m, "h"), Optional(m, "mi"), Optional(m, "s"), offsetMinutes, fraction);

    private static int Optional(Match m, string group) => m.Groups[group].Success ? Int(m, group) : 0;

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(
        @"^(?<y>\d{4})(?:-?(?<mo>\d{2})(?:-?(?<d>\d{2})(?:[Tt ]+(?:(?<h>\d{1,2}):(?<mi>\d{1,2})(?::(?<s>\d{1,2}))?|(?<h>\d{2})(?<mi>\d{2})(?<s>\d{2})?)(?:[.,](?<f>\d{1,7})\d*)?)?)?)?\s*(?<z>[Zz]|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{2,5})?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex IsoPattern();

    [GeneratedRegex(
        @"^(?:[A-Za-z]{2,}\.?,?\s*)?(?<d>\d{1,2})(?:st|nd|rd|th)?[\s\-]+(?<mo>[A-Za-z]{3,9})\.?,?[\s\-]+(?<y>\d{2,4})(?:[\sT,]+(?<h>\d{1,2}):(?<mi>\d{1,2})(?::(?<s>\d{1,2}))?(?:\.\d+)?)?\s*(?<z>[A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?\s*(?:\(.*\))?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Rfc822Pattern();

    [GeneratedRegex(
        @"^(?<y>\d{4})-?(?<doy>\d{3})(?:[Tt ]+(?<h>\d{1,2}):?(?<mi>\d{2})(?::?(?<s>\d{1,2}))?)?\s*(?<z>[Zz]|[+-]\d{2}(?::?\d{2})?)?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex OrdinalPattern();

    /// <summary>asctime: "Sun Jan  4 16:29:06 2004", with a zone before the year or none.</summary>
    [GeneratedRegex(
        @"^(?:[A-Za-z]{2,}\.?,?\s+)?(?<mo>[A-Za-z]{3,9})\.?\s+(?<d>\d{1,2})\s+(?<h>\d{1,2}):(?<mi>\d{1,2})(?::(?<s>\d{1,2}))?\s+(?:(?<z>[A-Za-z]{1,5}|[+-]\d{2}:?\d{2})\s+)?(?<y>\d{4})$",
        RegexOptions.CultureInvariant)]
    private static partial Regex AsctimePattern();

    /// <summary>Month before day: "Thu, Jan 01 2004 19:48:21 GMT", "January 1, 2004 7:48 PM" is left to the fallback.</summary>
    [GeneratedRegex(
        @"^(?:[A-Za-z]{2,}\.?,?\s*)?(?<mo>[A-Za-z]{3,9})\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?<y>\d{4})(?:[\sT,]+(?<h>\d{1,2}):(?<mi>\d{1,2})(?::(?<s>\d{1,2}))?)?\s*(?<z>[A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex MonthFirstPattern();

    /// <summary>Perforce: "Fri, 2006/09/15 08:19:53 EDT".</summary>
    [GeneratedRegex(
        @"^(?:[A-Za-z]{2,}\.?,?\s*)?(?<y>\d{4})/(?<mo>\d{1,2})/(?<d>\d{1,2})(?:\s+(?<h>\d{1,2}):(?<mi>\d{1,2})(?::(?<s>\d{1,2}))?)?\s*(?<z>[A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex PerforcePattern();
}
