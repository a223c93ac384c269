namespace AlertBot.Discord.Gateway;

/// <summary>Gateway v10 opcodes (docs: topics/opcodes-and-status-codes).</summary>
internal static class GatewayOp
{
    public const int Dispatch = 0;
    public const int Heartbeat = 1;
    public const int Identify = 2;
    public const int Resume = 6;
    public const int Reconnect = 7;
    public const int InvalidSession = 9;
    public const int Hello = 10;
    public const int HeartbeatAck = 11;
}

/// <summary>What to do after a connection ended.</summary>
internal enum GatewayNext
{
    /// <summary>Reconnect to resume_gateway_url and send Resume (op 6).</summary>
    Resume,

    /// <summary>Forget the session; connect afresh and Identify.</summary>
    NewSession,

    /// <summary>Stop: reconnecting cannot help (bad token, bad intents, bad shard).</summary>
    Fatal,
}

internal static class GatewayCloseCodes
{
    /// <summary>Our own close when we intend to resume: anything but 1000/1001, which would end the session.</summary>
    public const int ResumeLater = 4000;

    public static GatewayNext Classify(int? code) => code switch
    {
        4004 => GatewayNext.Fatal, // authentication failed
        4010 => GatewayNext.Fatal, // invalid shard
        4011 => GatewayNext.Fatal, // sharding required
        4012 => GatewayNext.Fatal, // invalid API version
        4013 => GatewayNext.Fatal, // invalid intents
        4014 => GatewayNext.Fatal, // disallowed (privileged) intents
        4007 => GatewayNext.NewSession, // invalid seq
        4009 => GatewayNext.NewSession, // session timed out
        _ => GatewayNext.Resume,
    };

    public static string Describe(int? code) => code switch
    {
        null => "connection dropped without a close code",
        4004 => "4004 authentication failed: the bot token is wrong or was reset",
        4010 => "4010 invalid shard",
        4011 => "4011 sharding required: the bot is in too many guilds for one connection",
        4012 => "4012 invalid API version",
        4013 => "4013 invalid intents",
        4014 => "4014 disallowed intents: enable them in the developer portal or stop asking for them",
        4007 => "4007 invalid seq on resume",
        4008 => "4008 rate limited: too many gateway sends",
        4009 => "4009 session timed out",
        _ => $"{code}",
    };
}

/// <summary>The gateway's clocks; tests shrink them so a reconnect takes milliseconds, not seconds.</summary>
internal sealed record GatewayTimings
{
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Docs: after op 9 d:false wait a random 1–5 s before identifying again.</summary>
    public TimeSpan InvalidSessionMinDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan InvalidSessionMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>max_concurrency identifies per this window (5 s at Discord).</summary>
    public TimeSpan IdentifyWindow { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Discord allows 120 sends per 60 s; heartbeats bypass this queue, so a few are kept back for them.</summary>
    public int SendsPerWindow { get; init; } = 115;

    public TimeSpan SendWindow { get; init; } = TimeSpan.FromSeconds(60);
}
