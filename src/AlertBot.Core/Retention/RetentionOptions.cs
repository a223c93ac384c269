using AlertBot.Core.Configuration;

namespace AlertBot.Core.Retention;

/// <summary><c>AlertBot:Retention</c>: how long what AlertBot has seen and sent is kept.</summary>
public sealed class RetentionOptions
{
    public const string Section = "AlertBot:Retention";

    /// <summary>Off: nothing is ever pruned (the database only grows).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Seen items, delivered or closed outbox rows and the stories they carry older than this are pruned. A seen item
    /// a feed still lists is never pruned, however old (its "last listed" time is kept fresh), so a feed that repeats
    /// old items does not alert on them again; pending alerts are never pruned. Also the time after which the same
    /// item arriving through another feed can alert a channel again.
    /// </summary>
    [Duration("1.00:00:00", "3650.00:00:00")] public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the pruning runs.</summary>
    [Duration("00:01:00", "7.00:00:00")] public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);
}
