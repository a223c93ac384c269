namespace AlertBot.Core.Commands;

/// <summary>A command as menus list it (Telegram setMyCommands, Discord application commands) and /help shows it.</summary>
public sealed record CommandInfo(string Name, string Usage, string Description, bool ChangesSettings);

/// <summary>The command set, in the order /help shows it.</summary>
public static class CommandCatalog
{
    public static IReadOnlyList<CommandInfo> All { get; } =
    [
        new("start", "/start", "Welcome; re-activates a chat that was unsubscribed", ChangesSettings: true),
        new("help", "/help", "List the commands", ChangesSettings: false),
        new("subscribe", "/subscribe [watchlist | pack]", "Start alerts here (default feeds, or a feed pack too; preset terms if the watchlist is empty)", ChangesSettings: true),
        new("unsubscribe", "/unsubscribe", "Stop alerts here (the watchlist is kept)", ChangesSettings: true),
        new("watch", "/watch add <term | \"phrase\"> · /watch remove <term> · /watch list · /watch priority <term> · /watch normal <term>", "Edit or show the watchlist; priority terms alert at once even in digest mode", ChangesSettings: true),
        new("feeds", "/feeds list · /feeds add <url> · /feeds remove <id> · /feeds import (attach .opml) · /feeds export", "Edit or show the feeds this chat reads; import or export them as OPML", ChangesSettings: true),
        new("test", "/test <text>", "Dry run: would this text alert here, and why", ChangesSettings: false),
        new("status", "/status", "Subscription, terms, feed health, last alert, queue", ChangesSettings: false),
        new("pause", "/pause", "Hold alerts (nothing is queued while paused)", ChangesSettings: true),
        new("resume", "/resume", "Send alerts again", ChangesSettings: true),
        new("digest", "/digest · /digest off · /digest hourly · /digest daily", "Alerts at once (off) or gathered into one message per hour or day", ChangesSettings: true),
        new("escalate", "/escalate · /escalate <outlets> <minutes> · /escalate off · /escalate role <role id | none>", "When a story breaks (many outlets fast), post one \"Breaking\" reply to its alert", ChangesSettings: true),
        new("trend", "/trend [term] [24h | 7d | 30d]", "A chart of how many items matched each term per day (per hour for 24h), with the top stories", ChangesSettings: false),
        new("actors", "/actors list · /actors show <name>", "The named actors and the aliases each one matches", ChangesSettings: false),
    ];

    public static CommandInfo? Find(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}
