using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Storage;

namespace AlertBot.Testing.Commands;

/// <summary>What a chat's settings are, as one comparable string: "nothing changed" is "the snapshot is equal".</summary>
public static class ChannelSnapshot
{
    /// <summary>Active/paused, the terms, the attached feed ids, and how many feeds the store knows in all.</summary>
    public static async Task<string> TakeAsync(DapperAlertStore store, ChannelRef channel)
    {
        var found = await store.GetChannelAsync(channel, CancellationToken.None)
            ?? throw new InvalidOperationException($"{channel} is not in the store.");
        var terms = await store.ListWatchTermsAsync(found.Id, CancellationToken.None);
        var feeds = await store.ListChannelFeedsAsync(found.Id, CancellationToken.None);
        var allFeeds = await store.ListFeedsAsync(CancellationToken.None);
        var settings = $"{found.Active}/{found.Paused}|{string.Join(",", terms.Select(t => t.Text))}|{string.Join(",", feeds.Select(f => f.Id))}|{allFeeds.Count}";
        if (store is IStoryStore stories)
        {
            // Digest mode and priority terms are settings too.
            var digest = (await stories.GetDigestModesAsync([found.Id], CancellationToken.None)).GetValueOrDefault(found.Id);
            var priority = await stories.ListPriorityTermsAsync([found.Id], CancellationToken.None);
            settings += $"|{digest}|{string.Join(",", priority.Select(p => p.ToString()))}";
        }

        return settings;
    }
}
