using System.Globalization;
using System.Text;
using AlertBot.Core.Matching;
using AlertBot.Core.Stories;
using AlertBot.Core.Summaries;
using Discord;

namespace AlertBot.Discord.Alerts;

/// <summary>Renders Core's <see cref="AlertMessage"/> as one Discord embed inside every documented limit.</summary>
internal static class AlertEmbedRenderer
{
    private const string MatchesFieldName = "Why this alerted";
    private const int SentenceInFieldMax = 300;

    /// <param name="marker">The alert's delivery marker, shown last in the footer so a later try can find the message.</param>
    public static Embed Render(AlertMessage message, string marker)
    {
        var title = DiscordText.Shorten(DiscordText.EscapeMarkdown(Clean(message.Title)), EmbedBuilder.MaxTitleLength);
        var also = StoryMessages.AlsoLine(message);
        var suffix = $" · {marker}";
        var source = DiscordText.Shorten(also.Length > 0 ? $"{Clean(message.Source)} · {also}" : Clean(message.Source), EmbedFooterBuilder.MaxFooterTextLength - suffix.Length);
        var footer = source + suffix;
        var description = message.Digest.Count > 0 ? RenderDigest(message) : Highlighted(message);
        var fieldValue = RenderMatches(message.Matches);

        // The 6000 total counts title, description, field names and values, footer and author together.
        var fixedPart = title.Length + footer.Length + (fieldValue is null ? 0 : MatchesFieldName.Length + fieldValue.Length);
        var room = EmbedBuilder.MaxEmbedLength - fixedPart;
        if (description.Length > room)
        {
            description = room > 1 ? DiscordText.Shorten(description, room) : "";
        }

        var embed = new EmbedBuilder()
            .WithTitle(title.Length > 0 ? title : "(untitled)")
            .WithFooter(footer);
        if (IsWebLink(message.Link))
        {
            embed.WithUrl(message.Link);
        }

        if (description.Length > 0)
        {
            embed.WithDescription(description);
        }

        if (fieldValue is not null)
        {
            embed.AddField(MatchesFieldName, fieldValue, inline: false);
        }

        if (message.PublishedAt is { } published)
        {
            embed.WithTimestamp(published.ToUniversalTime());
        }

        return embed.Build();
    }

    /// <summary>
    /// The sentences with matched terms in bold (escaped, so only our ** are markup). When that does not fit the
    /// description, the plain text shortened: cutting markup could leave a ** open.
    /// </summary>
    private static string Highlighted(AlertMessage message)
    {
        var parts = message.Sentences
            .Select((sentence, index) => Highlighting.Render(
                Highlighting.Segments(sentence, message.Highlights, index), DiscordText.EscapeMarkdown, "**", "**"))
            .Where(s => s.Length > 0);
        var bold = string.Join(' ', parts);
        return bold.Length <= EmbedBuilder.MaxDescriptionLength
            ? bold
            : DiscordText.Shorten(
                DiscordText.EscapeMarkdown(string.Join(' ', message.Sentences.Select(Clean).Where(s => s.Length > 0))),
                EmbedBuilder.MaxDescriptionLength);
    }

    /// <summary>A digest's stories as lines: linked title, source, matched terms in bold; whole stories only.</summary>
    private static string RenderDigest(AlertMessage digest)
    {
        var builder = new StringBuilder();
        var shown = 0;
        foreach (var entry in digest.Digest)
        {
            var title = DiscordText.EscapeMarkdown(DiscordText.Shorten(Clean(entry.Title), 200));
            var line = new StringBuilder("• ");
            line.Append(IsWebLink(entry.Link) ? $"[{title}](<{entry.Link}>)" : title);
            line.Append(" — ").Append(DiscordText.EscapeMarkdown(DiscordText.Shorten(Clean(entry.Source), 100)));
            if (entry.AlsoSources.Count > 0)
            {
                line.Append(" (").Append(DiscordText.EscapeMarkdown(DiscordText.Shorten(StoryMessages.AlsoLine(entry.AlsoSources), 200))).Append(')');
            }

            if (entry.Terms.Count > 0)
            {
                line.Append(" · **").Append(DiscordText.EscapeMarkdown(DiscordText.Shorten(string.Join(", ", entry.Terms), 200))).Append("**");
            }

            if (builder.Length + line.Length + 1 > EmbedBuilder.MaxDescriptionLength - 48)
            {
                break;
            }

            builder.Append(builder.Length > 0 ? "\n" : "").Append(line);
            shown++;
        }

        var hidden = digest.Digest.Count - shown;
        if (hidden > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\n…and {hidden} more stories in this digest.");
        }
        else if (digest.Sentences.Count > 0)
        {
            builder.Append('\n').Append(DiscordText.EscapeMarkdown(Clean(digest.Sentences[0])));
        }

        return builder.ToString();
    }

    /// <summary>The fallback when Discord refuses the embed: title, link, summary and terms as plain message content.</summary>
    public static string RenderPlain(AlertMessage message, string marker)
    {
        var builder = new StringBuilder();
        builder.Append("**").Append(DiscordText.EscapeMarkdown(Clean(message.Title))).Append("**");
        builder.Append(" (").Append(DiscordText.EscapeMarkdown(Clean(message.Source))).Append(')');
        if (StoryMessages.AlsoLine(message) is { Length: > 0 } also)
        {
            builder.Append('\n').Append(DiscordText.EscapeMarkdown(also));
        }
        if (IsWebLink(message.Link))
        {
            // Angle brackets stop Discord from unfurling a preview, which could be what it refused.
            builder.Append("\n<").Append(message.Link).Append('>');
        }

        var terms = string.Join(", ", message.Matches.Select(m => DiscordText.EscapeMarkdown(Clean(m.Term))).Distinct(StringComparer.Ordinal));
        if (terms.Length > 0)
        {
            builder.Append("\nMatched: ").Append(terms);
        }

        var summary = string.Join(' ', message.Sentences.Select(Clean).Where(s => s.Length > 0));
        if (summary.Length > 0)
        {
            builder.Append('\n').Append(DiscordText.EscapeMarkdown(summary));
        }

        var markerLine = $"\n-# {marker}";
        return DiscordText.Shorten(builder.ToString(), DiscordConfig.MaxMessageSize - markerLine.Length) + markerLine;
    }

    /// <summary>One line per matched term: term, the alias that matched, where, and the sentence; whole lines only.</summary>
    private static string? RenderMatches(IReadOnlyList<MatchExplanation> matches)
    {
        if (matches.Count == 0)
        {
            return null;
        }

        var builder = new StringBuilder();
        var shown = 0;
        foreach (var match in matches)
        {
            var alias = string.Equals(match.Alias, match.Term, StringComparison.OrdinalIgnoreCase)
                ? ""
                : $" as “{DiscordText.EscapeMarkdown(Clean(match.Alias))}”";
            var field = match.Field == MatchField.Title ? "title" : "text";
            var sentence = DiscordText.Shorten(DiscordText.EscapeMarkdown(Clean(match.Sentence)), SentenceInFieldMax);
            var line = $"• **{DiscordText.EscapeMarkdown(Clean(match.Term))}**{alias} in {field}: {sentence}";
            var separator = builder.Length > 0 ? 1 : 0;
            if (builder.Length + separator + line.Length > EmbedFieldBuilder.MaxFieldValueLength - 16)
            {
                if (shown == 0)
                {
                    builder.Append(DiscordText.Shorten(line, EmbedFieldBuilder.MaxFieldValueLength - 16));
                    shown++;
                }

                break;
            }

            if (separator == 1)
            {
                builder.Append('\n');
            }

            builder.Append(line);
            shown++;
        }

        if (shown < matches.Count)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\n… and {matches.Count - shown} more");
        }

        return builder.ToString();
    }

    private static string Clean(string? text) => (text ?? "").Trim();

    private static bool IsWebLink(string? link) =>
        link is { Length: <= 2048 }
        && Uri.IsWellFormedUriString(link, UriKind.Absolute)
        && Uri.TryCreate(link, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https";
}
