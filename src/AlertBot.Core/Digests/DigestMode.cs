namespace AlertBot.Core.Digests;

/// <summary>How a channel takes its alerts: each at once, or gathered into one message per period.</summary>
public enum DigestMode
{
    /// <summary>Every alert at once (the default).</summary>
    Off,

    /// <summary>One message at the end of each hour (UTC).</summary>
    Hourly,

    /// <summary>One message at the end of each day (UTC midnight, or <see cref="DigestOptions.DailyAt"/>).</summary>
    Daily,
}
