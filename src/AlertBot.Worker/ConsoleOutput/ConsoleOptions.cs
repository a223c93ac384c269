using System.ComponentModel.DataAnnotations;

namespace AlertBot.Worker.ConsoleOutput;

/// <summary><c>AlertBot:Console</c>: the console channel.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "AlertBot:Console";

    /// <summary>true: always print alerts; false: never; empty (default): only when no chat platform is configured.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The watchlist preset the console channel starts with.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "{0} is required.")]
    public string Watchlist { get; set; } = "default";
}
