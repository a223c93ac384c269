using System.Globalization;
using AlertBot.Core.Alerts;
using AlertBot.Core.Persistence;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;

namespace AlertBot.Core.Digests;

/// <summary>Digest periods and messages. Pure functions of the held alerts and the clock.</summary>
public static class DigestBuilder
{
    /// <summary>The end of the period <paramref name="at"/> falls in: the next full hour, or the next daily closing time.</summary>
    public static DateTimeOffset PeriodEnd(DigestMode mode, DateTimeOffset at, TimeSpan dailyAt)
    {
        var utc = at.ToUniversalTime();
        switch (mode)
        {
            case DigestMode.Hourly:
                var hour = new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
                return hour.AddHours(1);
            case DigestMode.Daily:
                var closing = new DateTimeOffset(utc.Date, TimeSpan.Zero) + dailyAt;
                return closing > utc ? closing : closing.AddDays(1);
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "A channel without digests has no period.");
        }
    }

    /// <summary>One channel's digest for the period that ended at <paramref name="until"/>: one message listing the stories.</summary>
    public static NewAlert Build(long channelId, DateTimeOffset until, IReadOnlyList<HeldAlert> held, int maxStories)
    {
        var entries = held
            .OrderBy(h => h.OutboxId)
            .Select(h => new DigestEntry(
                h.Message.Title,
                h.Message.Source,
                h.Message.Link,
                [.. h.Message.Matches.Select(m => m.Term).Distinct(StringComparer.OrdinalIgnoreCase)],
                h.Message.PublishedAt)
            {
                AlsoSources = [.. h.Message.AlsoSources.Select(s => s.Name)],
            })
            .ToList();
        var shown = entries.Take(maxStories).ToList();
        var more = entries.Count - shown.Count;
        var title = string.Create(CultureInfo.InvariantCulture,
            $"Digest: {entries.Count} {(entries.Count == 1 ? "story" : "stories")} until {Summarizer.FormatTime(until)}");
        var message = new AlertMessage
        {
            Title = title,
            Source = "AlertBot digest",
            PublishedAt = until,
            Sentences = more > 0 ? [string.Create(CultureInfo.InvariantCulture, $"…and {more} more.")] : [],
            Digest = shown,
        };
        // The first held row names the digest: a row that was held late for an already built period gets its own.
        var key = string.Create(CultureInfo.InvariantCulture, $"digest:{until.UtcTicks}:{held.Min(h => h.OutboxId)}");
        return new NewAlert(channelId, key, message) { Kind = OutboxKind.Digest };
    }

    /// <summary>The digest as plain text: one block per story (title, source, matched terms, link).</summary>
    public static string ToPlainText(AlertMessage digest)
    {
        var text = new System.Text.StringBuilder(digest.Title).Append('\n');
        foreach (var entry in digest.Digest)
        {
            text.Append("\n• ").Append(entry.Title).Append('\n');
            text.Append("  ").Append(entry.Source);
            if (entry.AlsoSources.Count > 0)
            {
                text.Append(" (").Append(StoryMessages.AlsoLine(entry.AlsoSources)).Append(')');
            }

            if (entry.Terms.Count > 0)
            {
                text.Append(" · matched: ").AppendJoin(", ", entry.Terms);
            }

            text.Append('\n');
            if (!string.IsNullOrWhiteSpace(entry.Link))
            {
                text.Append("  ").Append(entry.Link).Append('\n');
            }
        }

        foreach (var sentence in digest.Sentences)
        {
            text.Append('\n').Append(sentence).Append('\n');
        }

        return text.ToString();
    }
}
