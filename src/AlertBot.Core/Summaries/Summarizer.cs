using System.Globalization;
using System.Text;
using AlertBot.Core.Items;
using AlertBot.Core.Matching;
using AlertBot.Core.Stories;
using AlertBot.Core.Text;

namespace AlertBot.Core.Summaries;

/// <summary>Extractive summaries: title, source, time, the 1–3 most relevant sentences, the matched terms, the link.</summary>
public sealed class Summarizer
{
    public const int DefaultMaxSentences = 3;

    /// <summary>A sentence longer than this is cut at a word; chat messages have hard limits and readers less.</summary>
    public const int MaxSentenceLength = 400;

    private const int QuoteWindow = 160;

    // Lines that are page furniture rather than reporting: live-blog teasers, bylines, credits, share prompts.
    private static readonly string[] BoilerplatePrefixes =
    [
        "live updates", "live:", "read more", "read also", "related:", "related articles", "related coverage",
        "see also", "more:", "follow ", "follow:", "sign up", "subscribe", "updated:", "published:", "last updated",
        "photo:", "photograph:", "image:", "picture:", "credit:", "video:", "watch:", "listen:", "advertisement",
        "share this", "click here", "copyright", "©", "all rights reserved",
    ];

    private readonly int _maxSentences;

    /// <param name="maxSentences">How many sentences a summary holds at most (1–3 by default).</param>
    public Summarizer(int maxSentences = DefaultMaxSentences)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSentences, 1);
        _maxSentences = maxSentences;
    }

    // The same hard breaks the sentence splitter honours.
    private static readonly char[] LineBreaks = ['\n', '\r', '\u2028', '\u2029'];

    // Photo agencies whose name alone on a line is a picture credit.
    private static readonly HashSet<string> CreditLines = new(StringComparer.Ordinal)
    {
        "epa", "afp", "reuters", "ap", "bloomberg", "wam", "spa", "sana", "irna", "tasnim", "fars", "anadolu",
        "xinhua", "getty", "shutterstock", "supplied", "handout", "file photo", "the national",
    };

    public AlertMessage Summarize(NewsItem item, IReadOnlyList<TermHit> hits)
    {
        var body = BodySentences(item);
        var title = item.Title.Trim();
        var sentences = PickSentences(body, hits, _maxSentences);
        var matched = hits.Select(h => h.MatchedText).ToList();
        return new AlertMessage
        {
            Title = title,
            Link = item.Link,
            Source = SourceOf(item),
            PublishedAt = item.Published ?? item.Updated,
            Sentences = sentences,
            Matches = Explain(body, hits),
            Highlights =
            [
                .. Highlighting.Find(HighlightSpan.Title, title, matched),
                .. sentences.SelectMany((sentence, index) => Highlighting.Find(index, sentence, matched)),
            ],
        };
    }

    /// <summary>The alert as plain text: what the console sink prints and what chats fall back to.</summary>
    public static string ToPlainText(AlertMessage message)
    {
        var text = new StringBuilder();
        text.Append(message.Title).Append('\n');
        text.Append(message.Source);
        if (message.PublishedAt is { } published)
        {
            text.Append(" · ").Append(FormatTime(published));
        }

        text.Append('\n');
        if (StoryMessages.AlsoLine(message) is { Length: > 0 } also)
        {
            text.Append(also).Append('\n');
        }

        if (message.Sentences.Count > 0)
        {
            text.Append('\n');
            foreach (var sentence in message.Sentences)
            {
                text.Append(sentence).Append('\n');
            }
        }

        if (message.Matches.Count > 0)
        {
            text.Append('\n');
            foreach (var match in message.Matches)
            {
                text.Append("Matched: ").Append(Describe(match)).Append('\n');
            }
        }

        if (!string.IsNullOrWhiteSpace(message.Link))
        {
            text.Append('\n').Append(message.Link).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>One matched term in words: <c>Houthis (as "Houthi", body: "…they fired on a tanker…")</c>.</summary>
    public static string Describe(MatchExplanation match)
    {
        var alias = Tokenizer.Key(match.Alias) == Tokenizer.Key(match.Term) ? "" : $"as \"{match.Alias}\", ";
        var field = match.Field == MatchField.Title ? "title" : "body";
        return $"{match.Term} ({alias}{field}: \"{QuoteAround(match.Sentence, match.MatchedText)}\")";
    }

    /// <summary>UTC, minutes, ISO order: <c>2025-03-26 08:16 UTC</c>.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string SourceOf(NewsItem item)
    {
        if (!string.IsNullOrWhiteSpace(item.SourceName))
        {
            return item.SourceName.Trim();
        }

        return Uri.TryCreate(item.Link, UriKind.Absolute, out var uri) ? uri.Host : "unknown source";
    }

    private static List<BodySentence> BodySentences(NewsItem item)
    {
        var text = item.Text;
        var titleKey = Tokenizer.Key(item.Title);
        var sentences = new List<BodySentence>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineVerdicts = new Dictionary<int, bool>();
        foreach (var sentence in SentenceSplitter.Split(text))
        {
            var lineStart = sentence.Start == 0 ? 0 : text.LastIndexOfAny(LineBreaks, sentence.Start - 1) + 1;
            if (!lineVerdicts.TryGetValue(lineStart, out var boilerplate))
            {
                var lineEnd = text.IndexOfAny(LineBreaks, sentence.Start);
                var line = text[lineStart..(lineEnd < 0 ? text.Length : lineEnd)].Trim();
                boilerplate = IsBoilerplate(line, titleKey);
                lineVerdicts.Add(lineStart, boilerplate);
            }

            // A repeated sentence (captions often appear twice) counts where it first stands.
            if (seen.Add(sentence.Text))
            {
                sentences.Add(new BodySentence(sentences.Count, sentence.Text, boilerplate));
            }
        }

        return sentences;
    }

    private static bool IsBoilerplate(string line, string titleKey)
    {
        if (titleKey.Length > 0 && Tokenizer.Key(line) == titleKey)
        {
            return true;
        }

        if (BoilerplatePrefixes.Any(p => line.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        // A photo caption ends with its credit: "... in Sanaa. EPA", "... in Gaza. AFP via Getty Images"; a credit
        // may also stand on its own line.
        var sentences = SentenceSplitter.Split(line);
        if (sentences.Count == 1)
        {
            return IsKnownCredit(line);
        }

        var last = sentences[^1].Text;
        var words = last.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return IsKnownCredit(last) ||
               (words.Length <= 4 && !".!?…:\"”’".Contains(last[^1], StringComparison.Ordinal) &&
                words.All(w => w == "via" || !char.IsLower(w[0])));
    }

    private static bool IsKnownCredit(string text)
    {
        var key = Tokenizer.Key(text);
        return CreditLines.Contains(key) || key.EndsWith("getty images", StringComparison.Ordinal) ||
               key.StartsWith("ap photo", StringComparison.Ordinal);
    }

    /// <remarks>
    /// Hit sentences are taken greedily: each next one is the sentence that mentions the most terms not yet shown,
    /// then the most terms, then the most hits, then the earliest; so three sentences cover three terms rather than
    /// repeat one. With room for two or more, the lead sentence is kept for context. Captions and page furniture
    /// never summarise (they may still explain a match), unless the body holds nothing else.
    /// </remarks>
    private static List<string> PickSentences(List<BodySentence> body, IReadOnlyList<TermHit> hits, int max)
    {
        var byText = body.ToDictionary(s => s.Text, StringComparer.Ordinal);
        var candidates = hits
            .Where(h => h.Field == MatchField.Body && byText.TryGetValue(h.Sentence, out var s) && !s.Boilerplate)
            .GroupBy(h => h.Sentence, StringComparer.Ordinal)
            .Select(g => (Sentence: byText[g.Key], Terms: g.Select(h => h.Term).ToHashSet(StringComparer.Ordinal), Hits: g.Count()))
            .ToList();

        var ranked = new List<BodySentence>();
        var shown = new HashSet<string>(StringComparer.Ordinal);
        while (candidates.Count > 0)
        {
            var best = candidates
                .OrderByDescending(c => c.Terms.Count(t => !shown.Contains(t)))
                .ThenByDescending(c => c.Terms.Count)
                .ThenByDescending(c => c.Hits)
                .ThenBy(c => c.Sentence.Index)
                .First();
            candidates.Remove(best);
            ranked.Add(best.Sentence);
            shown.UnionWith(best.Terms);
        }

        var lead = body.FirstOrDefault(s => !s.Boilerplate);
        var picks = ranked.Take(Math.Max(max - 1, 1)).ToList();
        if (lead is not null)
        {
            picks.Add(lead);
        }

        picks.AddRange(ranked);
        if (picks.Count == 0 && body.Count > 0)
        {
            picks.Add(body.FirstOrDefault(s => hits.Any(h => h.Sentence == s.Text)) ?? body[0]);
        }

        return [.. picks.Distinct().Take(max).OrderBy(s => s.Index).Select(s => Shorten(s.Text))];
    }

    private static List<MatchExplanation> Explain(List<BodySentence> body, IReadOnlyList<TermHit> hits)
    {
        var boilerplate = body.Where(s => s.Boilerplate).Select(s => s.Text).ToHashSet(StringComparer.Ordinal);
        return
        [
            .. hits
                .GroupBy(h => h.Term, StringComparer.Ordinal)
                .Select(g => g.FirstOrDefault(h => h.Field == MatchField.Title || !boilerplate.Contains(h.Sentence)) ??
                             g.First())
                .Select(h => new MatchExplanation(h.Term, h.Alias, h.Field, h.Sentence) { MatchedText = h.MatchedText }),
        ];
    }

    private static string Shorten(string sentence)
    {
        if (sentence.Length <= MaxSentenceLength)
        {
            return sentence;
        }

        var cut = sentence.LastIndexOf(' ', MaxSentenceLength - 1);
        return sentence[..(cut > MaxSentenceLength / 2 ? cut : MaxSentenceLength - 1)].TrimEnd() + "…";
    }

    /// <summary>The sentence, or a window of it around the matched words when it is long.</summary>
    private static string QuoteAround(string sentence, string? matched)
    {
        if (sentence.Length <= QuoteWindow)
        {
            return sentence;
        }

        var at = matched is null ? -1 : sentence.IndexOf(matched, StringComparison.Ordinal);
        var center = at < 0 ? 0 : at + (matched!.Length / 2);
        var start = Math.Clamp(center - (QuoteWindow / 2), 0, sentence.Length - QuoteWindow);
        var end = start + QuoteWindow;

        // Widen to whole words so the quote never starts or ends mid-word.
        while (start > 0 && sentence[start - 1] != ' ')
        {
            start--;
        }

        while (end < sentence.Length && sentence[end] != ' ')
        {
            end++;
        }

        return (start > 0 ? "…" : "") + sentence[start..end].Trim() + (end < sentence.Length ? "…" : "");
    }

    private sealed record BodySentence(int Index, string Text, bool Boilerplate);
}
