using System.Text;

namespace AlertBot.Core.Summaries;

/// <summary>A run of text, highlighted (a matched term) or not.</summary>
public readonly record struct TextSegment(string Text, bool Highlighted);

/// <summary>
/// Finding matched words in the summary's text, and cutting highlighted text into runs that an adapter wraps in its
/// own markup (Telegram <c>&lt;b&gt;</c>, Discord <c>**</c>) within a length budget.
/// </summary>
public static class Highlighting
{
    /// <summary>
    /// Every whole-word occurrence of the words in <paramref name="text"/> (case-insensitive, any run of white space
    /// standing for the space of a phrase), in order, merged where they touch: a phrase is one span.
    /// </summary>
    public static IReadOnlyList<HighlightSpan> Find(int sentence, string text, IEnumerable<string> words)
    {
        var found = new List<(int Start, int End)>();
        foreach (var word in words.Where(w => !string.IsNullOrWhiteSpace(w)).Select(w => w.Trim()).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var parts = word.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            for (var at = text.IndexOf(parts[0], StringComparison.OrdinalIgnoreCase); at >= 0;
                 at = text.IndexOf(parts[0], at + 1, StringComparison.OrdinalIgnoreCase))
            {
                var end = PhraseEnd(text, at + parts[0].Length, parts);
                if (end >= 0 && (at == 0 || !char.IsLetterOrDigit(text[at - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end])))
                {
                    found.Add((at, end));
                }
            }
        }

        var spans = new List<HighlightSpan>();
        foreach (var (start, end) in found.OrderBy(f => f.Start).ThenByDescending(f => f.End))
        {
            if (spans.Count > 0 && start <= spans[^1].Start + spans[^1].Length)
            {
                var last = spans[^1];
                spans[^1] = last with { Length = Math.Max(last.Start + last.Length, end) - last.Start };
            }
            else
            {
                spans.Add(new HighlightSpan(sentence, start, end - start));
            }
        }

        return spans;
    }

    /// <summary>Where the rest of a phrase ends when its first part ends at <paramref name="at"/>, or -1.</summary>
    private static int PhraseEnd(string text, int at, string[] parts)
    {
        for (var p = 1; p < parts.Length; p++)
        {
            var gap = at;
            while (gap < text.Length && char.IsWhiteSpace(text[gap]))
            {
                gap++;
            }

            if (gap == at || string.Compare(text, gap, parts[p], 0, parts[p].Length, StringComparison.OrdinalIgnoreCase) != 0)
            {
                return -1;
            }

            at = gap + parts[p].Length;
        }

        return at;
    }

    /// <summary>
    /// The text cut into runs by the spans of <paramref name="sentence"/>, white space collapsed to single spaces
    /// and trimmed, at most <paramref name="max"/> characters in all: a text that does not fit is cut at a word and
    /// ends with "…".
    /// </summary>
    public static IReadOnlyList<TextSegment> Segments(string text, IEnumerable<HighlightSpan> spans, int sentence, int max = int.MaxValue)
    {
        var marked = new bool[text.Length];
        foreach (var span in spans.Where(s => s.Sentence == sentence))
        {
            for (var i = Math.Max(0, span.Start); i < Math.Min(text.Length, span.Start + span.Length); i++)
            {
                marked[i] = true;
            }
        }

        // Collapse white space, keeping each kept character's mark.
        var chars = new StringBuilder(text.Length);
        var marks = new List<bool>(text.Length);
        foreach (var (c, i) in text.Select((c, i) => (c, i)))
        {
            if (char.IsWhiteSpace(c) || c == '\0')
            {
                if (chars.Length > 0 && chars[^1] != ' ' && c != '\0')
                {
                    // The space inside a matched phrase is part of it: "Red Sea" is one highlight, not two. Only
                    // inside: a span that merely starts or ends on white space leaves that space plain.
                    chars.Append(' ');
                    marks.Add(marked[i] && marks[^1]);
                }

                continue;
            }

            if (chars.Length > 0 && chars[^1] == ' ' && marks[^1] && !marked[i])
            {
                marks[^1] = false;
            }

            chars.Append(c);
            marks.Add(marked[i]);
        }

        while (chars.Length > 0 && chars[^1] == ' ')
        {
            chars.Length--;
            marks.RemoveAt(marks.Count - 1);
        }

        var cut = false;
        if (chars.Length > max)
        {
            var room = Math.Max(0, max - 1);
            var space = chars.ToString(0, room).LastIndexOf(' ');
            var keep = space > room / 2 ? space : room;
            chars.Length = keep;
            marks.RemoveRange(keep, marks.Count - keep);
            cut = true;
        }

        var segments = new List<TextSegment>();
        var start = 0;
        for (var i = 1; i <= chars.Length; i++)
        {
            if (i == chars.Length || marks[i] != marks[start])
            {
                segments.Add(new TextSegment(chars.ToString(start, i - start), marks[start]));
                start = i;
            }
        }

        if (cut)
        {
            segments.Add(new TextSegment("…", false));
        }

        return segments;
    }

    /// <summary>The runs joined, highlighted ones wrapped in <paramref name="open"/> and <paramref name="close"/>, all escaped.</summary>
    public static string Render(IReadOnlyList<TextSegment> segments, Func<string, string> escape, string open, string close)
    {
        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            if (segment.Highlighted)
            {
                text.Append(open).Append(escape(segment.Text)).Append(close);
            }
            else
            {
                text.Append(escape(segment.Text));
            }
        }

        return text.ToString();
    }
}
