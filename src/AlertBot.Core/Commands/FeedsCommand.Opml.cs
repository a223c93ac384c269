using System.Globalization;
using System.Text;
using AlertBot.Core.Channels;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using static AlertBot.Core.Commands.Replies;

namespace AlertBot.Core.Commands;

/// <summary>/feeds import and /feeds export: a chat's feed list as an OPML file, the format feed readers share.</summary>
public sealed partial class FeedsHandler
{
    private const string ExportFileName = "alertbot-feeds.opml";
    private const string ImportUsage = "/feeds import — send it as the caption of an .opml file (Discord: the file option)";
    private const int MaxRefusalsShown = 3;

    private static CommandReply? CheckImportFile(CommandContext context)
    {
        if (context.Attachment is not { } file)
        {
            return Usage("Attach an OPML file (.opml or .xml) to import its feeds.", ImportUsage);
        }

        var extension = Path.GetExtension(file.FileName);
        if (!extension.Equals(".opml", StringComparison.OrdinalIgnoreCase) && !extension.Equals(".xml", StringComparison.OrdinalIgnoreCase))
        {
            return Usage($"\"{Shorten(file.FileName)}\" is not an OPML file: attach an .opml or .xml file.", ImportUsage);
        }

        return file.TooBig
            ? Error($"\"{Shorten(file.FileName)}\" is too big: the limit is {CommandAttachment.MaxBytes / 1024} KB.")
            : null;
    }

    private async Task<CommandReply> ImportAsync(Channel channel, CommandAttachment file, CancellationToken ct)
    {
        IReadOnlyList<OpmlFeed> listed;
        try
        {
            listed = OpmlDocument.Parse(new MemoryStream(Encoding.UTF8.GetBytes(file.Text!)));
        }
        catch (InvalidDataException ex)
        {
            return Error($"\"{Shorten(file.FileName)}\" could not be read: {Shown(ex.Message)}");
        }

        if (listed.Count == 0)
        {
            return Error($"\"{Shorten(file.FileName)}\" lists no feeds (no outline with an xmlUrl). Nothing was changed.");
        }

        var current = (await channels.ListChannelFeedsAsync(channel.Id, ct)).ToList();
        int added = 0, already = 0, overLimit = 0;
        var refusals = new List<string>();
        foreach (var entry in listed)
        {
            var url = entry.Url.Trim();
            var (uri, problem, _) = CheckFeedUrl(url);
            if (uri is null)
            {
                refusals.Add($"{Shown(url)} — {problem}");
                continue;
            }

            switch ((await AddChannelFeedAsync(channel, url, uri, current, ct)).Status)
            {
                case FeedAddStatus.Added: added++; break;
                case FeedAddStatus.AlreadyThere: already++; break;
                default: overLimit++; break;
            }
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"Imported {Shorten(file.FileName)}: added {added}, already there {already}, refused {refusals.Count + overLimit}.");
        if (overLimit > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{Plural(overLimit, "feed")} not added: this chat reads {current.Count} feeds, the limit.");
        }

        foreach (var reason in refusals.Take(MaxRefusalsShown))
        {
            text.Append("\n• ").Append(reason);
        }

        if (refusals.Count > MaxRefusalsShown)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n… and {refusals.Count - MaxRefusalsShown} more refused.");
        }

        if (added > 0)
        {
            text.Append("\nNew feeds start with a baseline: alerts come with items that appear after their first poll.");
        }

        return new CommandReply(text.ToString(), IsError: added == 0 && already == 0);
    }

    private CommandReply Export(IReadOnlyList<FeedRecord> reading, CommandContext context)
    {
        if (reading.Count == 0)
        {
            return new CommandReply("This chat reads no feeds, so there is nothing to export.");
        }

        var title = context.ChannelTitle is { Length: > 0 } name ? $"AlertBot feeds of {name}" : "AlertBot feeds";
        var opml = OpmlDocument.Write(title, reading.Select(f => new OpmlFeed(f.Url, f.Name)), time.GetUtcNow());
        return new CommandReply($"{Plural(reading.Count, "feed")} as OPML ({ExportFileName}); /feeds import reads it back.")
        {
            Attachment = CommandAttachment.FromText(ExportFileName, opml),
        };
    }
}
