using System.ComponentModel.DataAnnotations;
using AlertBot.Core.Configuration;

namespace AlertBot.Worker.Scheduling;

/// <summary>
/// <c>AlertBot:Scheduler</c>: how Quartz keeps the schedule. Read only with the PostgreSQL provider, where the
/// schedule lives in the database and every instance sharing it is a node of one Quartz cluster; with SQLite the
/// schedule is in memory and rebuilt from the feeds at each start.
/// </summary>
public sealed class SchedulerOptions
{
    public const string Section = "AlertBot:Scheduler";

    /// <summary>
    /// How often a node records in the database that it is alive. A node silent for this plus
    /// <see cref="ClusterCheckinMisfireThreshold"/> is taken for dead: its triggers go back to the others.
    /// </summary>
    [Duration("00:00:00.500", "00:10:00")] public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long past a missed check-in the other nodes wait before recovering a node's work. Longer than the worst
    /// pause a live node can have (garbage collection, a database failover), or a live node is written off.
    /// </summary>
    [Duration("00:00:00.500", "00:10:00")] public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The longest a node waits before looking for triggers it was not told about (a trigger another node scheduled,
    /// or one a dead node held). Short enough that feeds added on one node start polling soon on all.
    /// </summary>
    [Duration("00:00:00.100", "00:05:00")] public TimeSpan IdleWaitTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The prefix of Quartz's tables (created at start when missing, in the connection's schema). Two deployments
    /// sharing one schema keep their schedules apart with different prefixes.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "{0} is required.")]
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]{0,30}$", ErrorMessage = "{0} must be letters, digits and underscores (at most 31).")]
    public string TablePrefix { get; set; } = "qrtz_";
}
