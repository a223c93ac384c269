using System.ComponentModel.DataAnnotations;
using AlertBot.Core.Configuration;

namespace AlertBot.Worker.Hosting;

/// <summary><c>AlertBot:Logging</c>: how the log looks on the console.</summary>
public sealed class LoggingOptions
{
    public const string Section = "AlertBot:Logging";

    /// <summary>
    /// <c>simple</c>: one line per entry with a UTC date and time; <c>json</c>: one JSON object per line for log
    /// shippers. The standard <c>Logging:Console:FormatterName</c> is honoured too when this is not set.
    /// </summary>
    [RegularExpression("^(?i)(simple|json)$", ErrorMessage = "{0} must be simple or json.")]
    public string? Format { get; set; }

    /// <summary>How often the one-line poll summary is logged (routine polls themselves are Debug).</summary>
    [Duration("00:00:01", "1.00:00:00")] public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromMinutes(5);
}
