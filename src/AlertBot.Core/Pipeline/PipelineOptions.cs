using System.ComponentModel.DataAnnotations;

namespace AlertBot.Core.Pipeline;

/// <summary>A feed named in configuration (<c>AlertBot:Polling:Feeds</c>): polled for, and given to, every subscribed channel.</summary>
public sealed class ConfiguredFeed
{
    [Required(AllowEmptyStrings = false)]
    public string Url { get; set; } = "";

    /// <summary>Display name; the feed's own title when empty.</summary>
    public string? Name { get; set; }

    /// <summary>This feed's polling interval; <see cref="PollingOptions.DefaultInterval"/> when empty.</summary>
    public TimeSpan? Interval { get; set; }

    /// <summary>How many of the newest items the very first poll alerts on (0: the first poll only records a baseline).</summary>
    [Range(0, 1000)]
    public int Backfill { get; set; }
}

/// <summary><c>AlertBot:Polling</c>.</summary>
public sealed class PollingOptions
{
    public const string Section = "AlertBot:Polling";

    [Range(typeof(TimeSpan), "00:00:05", "7.00:00:00", ErrorMessage = "AlertBot:Polling:DefaultInterval must be between 5 seconds and 7 days.")]
    public TimeSpan DefaultInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each poll moves by up to this fraction of its interval, so feeds on one host do not all fire at once.</summary>
    [Range(0.0, 0.5, ErrorMessage = "AlertBot:Polling:Jitter must be between 0 and 0.5.")]
    public double Jitter { get; set; } = 0.1;

    /// <summary>The default feeds: every channel that subscribes reads them.</summary>
    public List<ConfiguredFeed> Feeds { get; set; } = [];

    /// <summary>
    /// After this many failures in a row a feed is paused: polled only every <see cref="PausedRetryInterval"/>, and the
    /// channels that read it are told once, with the reason. Before that, each failure doubles the wait.
    /// </summary>
    [Range(1, 1000, ErrorMessage = "AlertBot:Polling:MaxConsecutiveFailures must be between 1 and 1000.")]
    public int MaxConsecutiveFailures { get; set; } = 10;

    /// <summary>Longest wait between polls of a failing feed (before it is paused).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "AlertBot:Polling:FailureBackoffMax must be between 1 second and 7 days.")]
    public TimeSpan FailureBackoffMax { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often a paused feed is tried again; the first success un-pauses it and says so.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "AlertBot:Polling:PausedRetryInterval must be between 1 second and 30 days.")]
    public TimeSpan PausedRetryInterval { get; set; } = TimeSpan.FromDays(1);
}

/// <summary><c>AlertBot:Delivery</c>.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "AlertBot:Delivery";

    /// <summary>How often the outbox is drained.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "AlertBot:Delivery:Interval must be between 50 ms and 1 hour.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most alerts taken from the outbox per drain.</summary>
    [Range(1, 10_000, ErrorMessage = "AlertBot:Delivery:BatchSize must be between 1 and 10000.")]
    public int BatchSize { get; set; } = 200;

    /// <summary>Channels delivered to at once; each channel's alerts always go one after another, in order.</summary>
    [Range(1, 256, ErrorMessage = "AlertBot:Delivery:Parallelism must be between 1 and 256.")]
    public int Parallelism { get; set; } = 16;

    /// <summary>First retry delay after a failed send; doubles per attempt (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "AlertBot:Delivery:RetryBaseDelay must be between 0 and 1 hour.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "AlertBot:Delivery:RetryMaxDelay must be between 0 and 1 day.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary><c>AlertBot:Matching</c>: the operator-editable dictionaries.</summary>
public sealed class MatchingOptions
{
    public const string Section = "AlertBot:Matching";

    /// <summary>The actor alias dictionary (JSON).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "AlertBot:Matching:ActorsFile is required.")]
    public string ActorsFile { get; set; } = "config/actors.json";

    /// <summary>The named watchlist presets channels subscribe with (JSON).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "AlertBot:Matching:WatchlistsFile is required.")]
    public string WatchlistsFile { get; set; } = "config/watchlists.json";

    /// <summary>
    /// How long one regex term may run over one field of one item. NonBacktracking regexes are linear, so the default
    /// (5 s) is far beyond what a match takes even on a machine whose every core is busy; a run that exceeds it is
    /// logged (once per term and hour), counted in <c>alertbot.matching.regex_timeouts</c>, and its item is matched
    /// again at the next poll instead of being taken as "no match".
    /// </summary>
    /// <remarks>A budget of a tick makes every regex time out: how the tests reach that path.</remarks>
    [Range(typeof(TimeSpan), "00:00:00.0000001", "00:05:00", ErrorMessage = "AlertBot:Matching:RegexTimeout must be positive and at most 5 minutes.")]
    public TimeSpan RegexTimeout { get; set; } = Matching.WatchQuery.DefaultRegexTimeout;
}
