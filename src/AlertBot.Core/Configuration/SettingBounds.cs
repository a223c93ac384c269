using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace AlertBot.Core.Configuration;

/// <summary>
/// A number setting's bounds, inclusive. Its message is written from the bounds themselves
/// (<c>{0} must be between 1 and 1000.</c>), so it cannot say other limits than the ones checked; <c>{0}</c> is the
/// setting's full key (see <see cref="OptionsRegistration"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class BetweenAttribute : RangeAttribute
{
    public BetweenAttribute(int minimum, int maximum)
        : base(minimum, maximum) =>
        ErrorMessage = SettingBounds.Message(Invariant(minimum), Invariant(maximum));

    public BetweenAttribute(double minimum, double maximum)
        : base(minimum, maximum)
    {
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
        ErrorMessage = SettingBounds.Message(Invariant(minimum), Invariant(maximum));
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}

/// <summary>
/// A <see cref="TimeSpan"/> setting's bounds, inclusive, written as <see cref="TimeSpan"/> text ("00:00:05",
/// "7.00:00:00") and read the same on every machine's culture. Its message says them in words
/// (<c>{0} must be between 5 seconds and 7 days.</c>); set <see cref="ValidationAttribute.ErrorMessage"/> only when
/// the words would mislead (a lower bound of one tick means "positive").
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DurationAttribute : RangeAttribute
{
    public DurationAttribute(string minimum, string maximum)
        : base(typeof(TimeSpan), minimum, maximum)
    {
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
        ErrorMessage = SettingBounds.Message(
            SettingBounds.Words(TimeSpan.Parse(minimum, CultureInfo.InvariantCulture)),
            SettingBounds.Words(TimeSpan.Parse(maximum, CultureInfo.InvariantCulture)));
    }
}

/// <summary>The wording <see cref="BetweenAttribute"/> and <see cref="DurationAttribute"/> share.</summary>
public static class SettingBounds
{
    /// <summary>A bounds message whose <c>{0}</c> is the setting's name.</summary>
    public static string Message(string minimum, string maximum) => $"{{0}} must be between {minimum} and {maximum}.";

    /// <summary>
    /// A duration in the largest whole unit that says it exactly: "0", "50 ms", "1 second", "100 seconds",
    /// "10 minutes", "1 hour", "7 days"; below a millisecond, or fractional seconds, as seconds with decimals.
    /// </summary>
    public static string Words(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0";
        }

        if (value < TimeSpan.FromSeconds(1) && value.Ticks % TimeSpan.TicksPerMillisecond == 0)
        {
            return Count(value.Ticks / TimeSpan.TicksPerMillisecond, "ms", "ms");
        }

        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return value.TotalSeconds.ToString("0.#######", CultureInfo.InvariantCulture) + " seconds";
        }

        return value switch
        {
            _ when value.Ticks % TimeSpan.TicksPerMinute != 0 => Count((long)value.TotalSeconds, "second", "seconds"),
            _ when value.Ticks % TimeSpan.TicksPerHour != 0 => Count((long)value.TotalMinutes, "minute", "minutes"),
            _ when value.Ticks % TimeSpan.TicksPerDay != 0 => Count((long)value.TotalHours, "hour", "hours"),
            _ => Count((long)value.TotalDays, "day", "days"),
        };
    }

    private static string Count(long count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");
}
