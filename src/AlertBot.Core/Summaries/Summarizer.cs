using AlertBot.Core.Items;
using AlertBot.Core.Matching;

namespace AlertBot.Core.Summaries;

/// <summary>Extractive summaries: title, source, time, the 1–3 most relevant sentences, the matched terms, the link.</summary>
public sealed class Summarizer
{
    // PLACEHOLDER CONTRACT: the Summaries work replaces the body below; the public surface stays.
    public AlertMessage Summarize(NewsItem item, IReadOnlyList<TermHit> hits) =>
        throw new NotImplementedException($"{item.Id}{hits.Count}");

    /// <summary>The alert as plain text: what the console sink prints and what chats fall back to.</summary>
    public static string ToPlainText(AlertMessage message) => throw new NotImplementedException(message.Title);
}
