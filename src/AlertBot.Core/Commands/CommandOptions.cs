using System.ComponentModel.DataAnnotations;
using AlertBot.Core.Configuration;

namespace AlertBot.Core.Commands;

/// <summary><c>AlertBot:Commands</c>: the limits on what one chat may ask for.</summary>
public sealed class CommandOptions
{
    public const string Section = "AlertBot:Commands";

    [Between(1, 1000)] public int MaxTermLength { get; set; } = 200;

    [Between(1, 10_000)] public int MaxTermsPerChannel { get; set; } = 100;

    [Between(1, 1000)] public int MaxFeedsPerChannel { get; set; } = 50;

    [Between(1, 100_000)] public int MaxTestTextLength { get; set; } = 4000;

    /// <summary>Commands one chat may send per minute (a token bucket: this many at once, then evenly refilled).</summary>
    [Between(1, 10_000)] public int ChatCommandsPerMinute { get; set; } = 20;

    /// <summary>Commands one user may send per minute, across all chats on a platform.</summary>
    [Between(1, 10_000)] public int UserCommandsPerMinute { get; set; } = 10;

    /// <summary>The preset a bare <c>/subscribe</c> gives a channel that has no terms yet.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "{0} must name a preset.")]
    public string DefaultWatchlist { get; set; } = "default";
}
