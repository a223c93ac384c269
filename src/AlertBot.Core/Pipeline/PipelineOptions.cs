using System.ComponentModel.DataAnnotations;
using AlertBot.Core.Configuration;

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
    [Between(0, 1000)] public int Backfill { get; set; }
}

/// <summary><c>AlertBot:Polling</c>.</summary>
public sealed class PollingOptions : IValidatableObject
{
    public const string Section = "AlertBot:Polling";

    [Duration("00:00:05", "7.00:00:00")] public TimeSpan DefaultInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How polls are spread in time. Above 0 (the default), a feed that is new or overdue when the schedule is made
    /// gets its first poll at a random point of its whole interval, so many feeds poll evenly rather than in a burst,
    /// and a feed polled before waits until its next poll is due plus up to this fraction of its interval. 0 turns all
    /// randomness off: new and overdue feeds poll at once (demos, tests), the others when due.
    /// </summary>
    [Between(0.0, 0.5)] public double Jitter { get; set; } = 0.1;

    /// <summary>
    /// Polls that may run at once. A poll mostly waits on the network, so this is far above the number of cores; it
    /// bounds memory and sockets. With 20,000 feeds every 5 minutes, about 67 polls start per second.
    /// </summary>
    [Between(1, 1000)] public int MaxConcurrentPolls { get; set; } = 50;

    /// <summary>The default feeds: every channel that subscribes reads them.</summary>
    public List<ConfiguredFeed> Feeds { get; set; } = [];

    /// <summary>
    /// After this many failures in a row a feed is paused: polled only every <see cref="PausedRetryInterval"/>, and the
    /// channels that read it are told once, with the reason. Before that, each failure doubles the wait.
    /// </summary>
    [Between(1, 1000)] public int MaxConsecutiveFailures { get; set; } = 10;

    /// <summary>Longest wait between polls of a failing feed (before it is paused).</summary>
    [Duration("00:00:01", "7.00:00:00")] public TimeSpan FailureBackoffMax { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often a paused feed is tried again; the first success un-pauses it and says so.</summary>
    [Duration("00:00:01", "30.00:00:00")] public TimeSpan PausedRetryInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The feeds' own settings, each named by its full key: data annotations do not look inside a list, and a bad
    /// value here must stop the start like any other, not fail later in the database.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Feeds.Count; i++)
        {
            var feed = Feeds[i];
            var key = $"{Section}:Feeds:{i}";
            if (string.IsNullOrWhiteSpace(feed.Url))
            {
                yield return new ValidationResult($"{key}:Url is required.");
            }

            if (feed.Backfill is < 0 or > 1000)
            {
                yield return new ValidationResult($"{key}:Backfill must be between 0 and 1000 (got {feed.Backfill}).");
            }

            if (feed.Interval is { } interval && (interval < TimeSpan.FromSeconds(5) || interval > TimeSpan.FromDays(7)))
            {
                yield return new ValidationResult($"{key}:Interval must be between 5 seconds and 7 days (got {interval}).");
            }
        }
    }
}

/// <summary><c>AlertBot:Delivery</c>.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "AlertBot:Delivery";

    /// <summary>How often the outbox is drained.</summary>
    [Duration("00:00:00.050", "01:00:00")] public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most alerts taken from the outbox per drain.</summary>
    [Between(1, 10_000)] public int BatchSize { get; set; } = 200;

    /// <summary>Channels delivered to at once; each channel's alerts always go one after another, in order.</summary>
    [Between(1, 256)] public int Parallelism { get; set; } = 64;

    /// <summary>
    /// How long one channel may keep sending within one drain. A channel with a backlog (a group held to 20 messages a
    /// minute) yields after this, its remaining alerts staying queued in order, so the next drain starts and every
    /// other channel's new alerts are taken with it instead of waiting for that backlog to empty.
    /// </summary>
    [Duration("00:00:00.100", "01:00:00")] public TimeSpan ChannelTurn { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>First retry delay after a failed send; doubles per attempt (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    [Duration("00:00:00", "01:00:00")] public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Duration("00:00:00", "1.00:00:00")] public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// An alert that failed this many times for a reason of its own (not a rate limit, not a platform outage) is
    /// parked: set aside so its channel's later alerts flow, the channel is told, and an operator can re-queue it.
    /// </summary>
    [Between(1, 1000)] public int MaxAttempts { get; set; } = 10;

    /// <summary>An alert this old that failed again for a reason of its own is parked even before <see cref="MaxAttempts"/>.</summary>
    [Duration("00:01:00", "30.00:00:00")] public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(1);
}

/// <summary><c>AlertBot:Matching</c>: the operator-editable dictionaries.</summary>
public sealed class MatchingOptions
{
    public const string Section = "AlertBot:Matching";

    /// <summary>The actor alias dictionary (JSON).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "{0} is required.")]
    public string ActorsFile { get; set; } = "config/actors.json";

    /// <summary>The named watchlist presets channels subscribe with (JSON).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "{0} is required.")]
    public string WatchlistsFile { get; set; } = "config/watchlists.json";

    /// <summary>
    /// How long one regex term may run over one field of one item. NonBacktracking regexes are linear, so the default
    /// (5 s) is far beyond what a match takes even on a machine whose every core is busy; a run that exceeds it is
    /// logged (once per term and hour), counted in <c>alertbot.matching.regex_timeouts</c>, and its item is matched
    /// again at the next poll instead of being taken as "no match".
    /// </summary>
    /// <remarks>A budget of a tick makes every regex time out: how the tests reach that path.</remarks>
    [Duration("00:00:00.0000001", "00:05:00", ErrorMessage = "{0} must be positive and at most 5 minutes.")]
    public TimeSpan RegexTimeout { get; set; } = Matching.WatchQuery.DefaultRegexTimeout;
}
