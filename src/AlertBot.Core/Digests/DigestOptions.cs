using AlertBot.Core.Configuration;

namespace AlertBot.Core.Digests;

/// <summary><c>AlertBot:Digest</c>.</summary>
public sealed class DigestOptions
{
    public const string Section = "AlertBot:Digest";

    /// <summary>When (UTC, time of day) a daily digest closes and is sent.</summary>
    [Duration("00:00:00", "23:59:59", ErrorMessage = "{0} must be a time of day between 00:00:00 and 23:59:59.")]
    public TimeSpan DailyAt { get; set; } = TimeSpan.Zero;

    /// <summary>Most stories one digest lists; the rest are counted in its last line.</summary>
    [Between(1, 200)] public int MaxStories { get; set; } = 30;
}
