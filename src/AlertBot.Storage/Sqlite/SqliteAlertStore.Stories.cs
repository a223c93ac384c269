using System.Text.Json;
using System.Text.Json.Serialization;
using AlertBot.Core.Stories;

namespace AlertBot.Storage.Sqlite;

/// <summary>SQLite's side of the story SQL: the probes as one JSON array, and locks for the one process that owns the file.</summary>
public sealed partial class SqliteAlertStore
{
    private protected override string ProbeRows => """
        (SELECT json_extract(j.value, '$.c') AS channel_id, json_extract(j.value, '$.u') AS url,
                json_extract(j.value, '$.t') AS title, json_extract(j.value, '$.h') AS hash
         FROM json_each(@Probes) AS j) AS p
        """;

    private protected override object ProbeParameters(IReadOnlyList<StoryProbe> probes) => new
    {
        Probes = JsonSerializer.Serialize(probes.Select(p => new ProbeJson(
            p.ChannelId, p.Story.Url, p.Story.TitleKey.Length == 0 ? null : p.Story.TitleKey, p.Story.SimHash))),
    };

    private sealed record ProbeJson(
        [property: JsonPropertyName("c")] long ChannelId,
        [property: JsonPropertyName("u")] string? Url,
        [property: JsonPropertyName("t")] string? Title,
        [property: JsonPropertyName("h")] long Hash);

    /// <summary>One process owns a SQLite database: in-process locks per channel suffice.</summary>
    public override Task<IAsyncDisposable> LockStoriesAsync(IReadOnlyCollection<long> channelIds, CancellationToken cancellationToken) =>
        _storyLocks.LockAsync(channelIds, cancellationToken);
}
