namespace AlertBot.Core.Watchlists;

/// <summary>One term of a channel's watchlist, as the user wrote it (a word, a phrase, or an actor's name).</summary>
public sealed record WatchTerm(long Id, long ChannelId, string Text, DateTimeOffset CreatedAt);

/// <summary>A named list of terms shipped in configuration, which a channel can subscribe with.</summary>
public sealed record WatchlistPreset(string Name, IReadOnlyList<string> Terms);
