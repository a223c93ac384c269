using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AlertBot.Worker.Cli;

/// <summary>A channel's watchlist as exported and imported (YAML or JSON).</summary>
public sealed class WatchlistFile
{
    public string Channel { get; set; } = "";

    public List<string> Terms { get; set; } = [];
}

/// <summary>
/// The database from the command line: feeds listed, changed, removed, moved in and out as OPML (what every feed
/// reader speaks); a channel's watchlist in and out as YAML or JSON; a backup of the SQLite file.
/// </summary>
internal sealed class DataCommands(CliApp app)
{
    private const int ProgressEvery = 250;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static readonly string[] ChannelPlatforms = [Platforms.Telegram, Platforms.Discord, Platforms.Console];

    public void AddTo(RootCommand root, Command feed)
    {
        var output = new Option<string?>("--output") { Description = "Write to this file instead of standard output." };
        var export = new Command("export", "Every http(s) feed in the database as OPML.") { output };
        export.SetVerb((parse, ct) => ExportFeedsAsync(parse.GetValue(output), ct));
        feed.Subcommands.Add(export);

        var file = new Argument<string>("file") { Description = "An OPML file, or the name of a feed pack in config/feeds (e.g. middle-east)." };
        var channel = new Option<string?>("--channel") { Description = "Also attach the feeds to this channel, e.g. telegram:-1001234567890." };
        var import = new Command("import", "Add the feeds of an OPML file (each records a baseline on its first poll).") { file, channel };
        import.SetVerb((parse, ct) => ImportFeedsAsync(parse.GetRequiredValue(file), parse.GetValue(channel), ct));
        feed.Subcommands.Add(import);

        var addUrl = new Argument<string>("url") { Description = "The feed's http(s) address, or a web page that links to its feed." };
        var addChannel = new Option<string?>("--channel") { Description = "Also attach it to this channel, e.g. telegram:-1001234567890." };
        var add = new Command("add", "Read a feed once and add it (a web page is searched for the feed it links to).") { addUrl, addChannel };
        add.SetVerb((parse, ct) => AddFeedAsync(parse.GetRequiredValue(addUrl), parse.GetValue(addChannel), ct));
        feed.Subcommands.Add(add);

        var list = new Command("list", "Every feed with its id, interval and health.");
        list.SetVerb((_, ct) => ListFeedsAsync(ct));
        feed.Subcommands.Add(list);

        var removeId = new Argument<long>("id") { Description = "The feed's id (see feed list)." };
        var remove = new Command("remove", "Delete a feed: no channel reads it any more, its history goes with it.") { removeId };
        remove.SetVerb((parse, ct) => RemoveFeedAsync(parse.GetValue(removeId), ct));
        feed.Subcommands.Add(remove);

        var setId = new Argument<long>("id") { Description = "The feed's id (see feed list)." };
        var interval = new Option<string>("--interval")
        {
            Description = "How often to poll it, e.g. 00:10:00 (5 s to 7 days), or 'default' to follow AlertBot:Polling:DefaultInterval.",
            Required = true,
        };
        var set = new Command("set", "Change a feed's polling interval (the running service picks it up within a minute).") { setId, interval };
        set.SetVerb((parse, ct) => SetFeedAsync(parse.GetValue(setId), parse.GetRequiredValue(interval), ct));
        feed.Subcommands.Add(set);

        var watchChannel = new Option<string>("--channel") { Description = "The channel, e.g. telegram:-1001234567890 or discord:123456789012345678.", Required = true };
        var format = new Option<string>("--format") { Description = "yaml or json.", DefaultValueFactory = _ => "yaml" };
        format.AcceptOnlyFromAmong("yaml", "json");
        var watchOutput = new Option<string?>("--output") { Description = "Write to this file instead of standard output." };
        var watchExport = new Command("export", "A channel's watchlist as YAML or JSON.") { watchChannel, format, watchOutput };
        watchExport.SetVerb((parse, ct) => ExportWatchlistAsync(parse.GetRequiredValue(watchChannel), parse.GetValue(format)!, parse.GetValue(watchOutput), ct));

        var watchFile = new Argument<string>("file") { Description = "A .yaml, .yml or .json watchlist file." };
        var watchImport = new Command("import", "Add a watchlist file's terms to a channel, with the checks of /watch add (the channel is created if new).") { watchFile, watchChannel };
        watchImport.SetVerb((parse, ct) => ImportWatchlistAsync(parse.GetRequiredValue(watchFile), parse.GetRequiredValue(watchChannel), ct));
        root.Subcommands.Add(new Command("watchlist", "Watchlist tools.") { watchExport, watchImport });

        var backupFile = new Argument<string>("file") { Description = "Where to write the copy, e.g. /data/backup.db." };
        var backup = new Command("backup", "A consistent copy of the SQLite database, safe while the service runs (PostgreSQL: use pg_dump).") { backupFile };
        backup.SetVerb((parse, ct) => BackupAsync(parse.GetRequiredValue(backupFile), ct));
        root.Subcommands.Add(backup);
    }

    private async Task<ExitCode> ExportFeedsAsync(string? output, CancellationToken cancellationToken)
    {
        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var feedStore = host.Services.GetRequiredService<IFeedStore>();
        var feeds = await feedStore.ListFeedsAsync(cancellationToken);

        // Only what `feed import` takes back: local files are configuration (AlertBot:Polling:Feeds), not portable data.
        var portable = feeds.Where(f => IsHttp(f.Url, out _)).ToList();
        foreach (var local in feeds.Except(portable))
        {
            await app.Error.WriteLineAsync($"feed export: left out {local.Url} (a local file; it is configured in AlertBot:Polling:Feeds).");
        }

        var opml = OpmlDocument.Write("AlertBot feeds", portable.Select(f => new OpmlFeed(f.Url, f.Name)), DateTimeOffset.UtcNow);
        await WriteAsync(opml, output, cancellationToken);
        return ExitCode.Ok;
    }

    private async Task<ExitCode> ImportFeedsAsync(string file, string? channelText, CancellationToken cancellationToken)
    {
        var channelRef = channelText is null ? (ChannelRef?)null : ParseChannel(channelText);
        var path = FeedPacks.Resolve(file);

        // A pack shipped in config/feeds is the operator's own, trusted like AlertBot:Polling:Feeds: it may name local
        // files (the seed pack). Any other OPML file gives http(s) feeds only, as it would in chat.
        var trusted = path != file;
        IReadOnlyList<OpmlFeed> feeds;
        await using (var stream = InputFiles.OpenRead(path))
        {
            try
            {
                feeds = OpmlDocument.Parse(stream);
            }
            catch (InvalidDataException ex)
            {
                throw new OperatorException(
                    "feed import", $"{file} is {ex.Message.TrimEnd('.')}. Give an OPML file, as feed readers export", ExitCode.Usage, ex);
            }
        }

        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var feedStore = host.Services.GetRequiredService<IFeedStore>();
        var channelStore = host.Services.GetRequiredService<IChannelStore>();
        var channel = channelRef is { } target ? await channelStore.EnsureChannelAsync(target, null, DateTimeOffset.UtcNow, cancellationToken) : null;
        int added = 0, skipped = 0, attached = 0, done = 0;
        foreach (var feed in feeds)
        {
            if (++done % ProgressEvery == 0)
            {
                // Progress goes with the logs to standard error; the result line stays on standard output.
                await app.Error.WriteLineAsync($"feed import: {done} of {feeds.Count} feeds...");
            }

            string url, name;
            if (IsHttp(feed.Url, out var uri))
            {
                (url, name) = (uri.AbsoluteUri, feed.Title ?? uri.Host);
            }
            else if (trusted)
            {
                (url, name) = (feed.Url, feed.Title ?? feed.Url);
            }
            else
            {
                await app.Output.WriteLineAsync($"skipped (not an http(s) URL): {feed.Url}");
                skipped++;
                continue;
            }

            var existing = await feedStore.FindFeedByUrlAsync(url, cancellationToken);
            var record = existing ?? await feedStore.UpsertFeedAsync(
                new FeedDefinition(url, name, null), DateTimeOffset.UtcNow, cancellationToken);
            added += existing is null ? 1 : 0;
            if (channel is not null && await channelStore.AttachFeedAsync(channel.Id, record.Id, cancellationToken))
            {
                attached++;
            }
        }

        var attachedText = channel is null ? "" : $"; {attached} newly attached to {channel.Ref}";
        await app.Output.WriteLineAsync($"{feeds.Count} feeds in the file, {added} new, {skipped} skipped{attachedText}.");
        return ExitCode.Ok;
    }

    private async Task<ExitCode> AddFeedAsync(string url, string? channelText, CancellationToken cancellationToken)
    {
        var channelRef = channelText is null ? (ChannelRef?)null : ParseChannel(channelText);
        if (!IsHttp(url.Trim(), out var uri))
        {
            throw new OperatorException("feed add", $"'{url}' is not an http(s) URL. Give the feed's address, e.g. https://example.com/rss", ExitCode.Usage);
        }

        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var result = await host.Services.GetRequiredService<IFeedReader>().ReadAsync(uri.AbsoluteUri, FeedValidators.None, cancellationToken);
        if (result is not FeedReadResult.Success ok)
        {
            var reason = result is FeedReadResult.Failure failure ? failure.Reason : "the server answered 'not modified' to a first read";
            throw new OperatorException(
                "feed add", $"{uri.AbsoluteUri} was not added: {reason.TrimEnd('.')}. Check the address (`alertbot feed check` shows what it serves)", ExitCode.Failed);
        }

        var feedUrl = ok.ReadFrom ?? uri.AbsoluteUri;
        if (ok.ReadFrom is not null)
        {
            await app.Output.WriteLineAsync($"{uri.AbsoluteUri} is a web page; using the feed it links to: {ok.ReadFrom}");
        }

        var feedStore = host.Services.GetRequiredService<IFeedStore>();
        var channelStore = host.Services.GetRequiredService<IChannelStore>();
        var record = await feedStore.FindFeedByUrlAsync(feedUrl, cancellationToken) ?? await feedStore.UpsertFeedAsync(
            new FeedDefinition(feedUrl, ok.FeedTitle ?? new Uri(feedUrl).Host, null), DateTimeOffset.UtcNow, cancellationToken);
        if (channelRef is { } target)
        {
            var channel = await channelStore.EnsureChannelAsync(target, null, DateTimeOffset.UtcNow, cancellationToken);
            await channelStore.AttachFeedAsync(channel.Id, record.Id, cancellationToken);
        }

        await app.Output.WriteLineAsync(
            $"Feed {record.Id}: {record.Name} ({record.Url}), {ok.Items.Count} items now. Its first poll records them as a baseline; alerts start with newer ones.");
        return ExitCode.Ok;
    }

    private async Task<ExitCode> ListFeedsAsync(CancellationToken cancellationToken)
    {
        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var feedStore = host.Services.GetRequiredService<IFeedStore>();
        var defaultInterval = host.Services.GetRequiredService<IOptions<PollingOptions>>().Value.DefaultInterval;
        var health = host.Services.GetRequiredService<FeedHealth>();
        var feeds = await feedStore.ListFeedsAsync(cancellationToken);
        if (feeds.Count == 0)
        {
            await app.Output.WriteLineAsync("No feeds. Add some with `alertbot feed import <file.opml | pack>`.");
            return ExitCode.Ok;
        }

        foreach (var feed in feeds)
        {
            var interval = feed.Interval is { } own ? own.ToString("c", CultureInfo.InvariantCulture) : $"{defaultInterval.ToString("c", CultureInfo.InvariantCulture)} (default)";
            await app.Output.WriteLineAsync($"{feed.Id,5}  {feed.Name}");
            await app.Output.WriteLineAsync($"       {feed.Url}");
            await app.Output.WriteLineAsync($"       every {interval}; {health.Describe(feed)}");
        }

        return ExitCode.Ok;
    }

    private async Task<ExitCode> RemoveFeedAsync(long id, CancellationToken cancellationToken)
    {
        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var feedStore = host.Services.GetRequiredService<IFeedStore>();
        var feed = await RequireFeedAsync(feedStore, id, cancellationToken);
        await feedStore.DeleteFeedAsync(feed.Id, cancellationToken);
        var configured = host.Services.GetRequiredService<IOptions<PollingOptions>>().Value.Feeds.Any(f => f.Url == feed.Url);
        await app.Output.WriteLineAsync($"Removed feed {feed.Id} ({feed.Name}, {feed.Url}).");
        if (configured)
        {
            await app.Error.WriteLineAsync("feed remove: this feed is listed in AlertBot:Polling:Feeds and comes back at the next start unless removed there too.");
        }

        return ExitCode.Ok;
    }

    private async Task<ExitCode> SetFeedAsync(long id, string intervalText, CancellationToken cancellationToken)
    {
        TimeSpan? interval = null;
        if (!intervalText.Equals("default", StringComparison.OrdinalIgnoreCase))
        {
            if (!TimeSpan.TryParse(intervalText, CultureInfo.InvariantCulture, out var parsed) ||
                parsed < TimeSpan.FromSeconds(5) || parsed > TimeSpan.FromDays(7))
            {
                throw new OperatorException(
                    "feed set",
                    $"'{intervalText}' is not an interval between 5 seconds and 7 days. Write it as hh:mm:ss (00:10:00) or d.hh:mm:ss, or 'default'",
                    ExitCode.Usage);
            }

            interval = parsed;
        }

        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var feedStore = host.Services.GetRequiredService<IFeedStore>();
        var feed = await RequireFeedAsync(feedStore, id, cancellationToken);
        await feedStore.UpsertFeedAsync(new FeedDefinition(feed.Url, feed.Name, interval, feed.Backfill), DateTimeOffset.UtcNow, cancellationToken);
        var polling = host.Services.GetRequiredService<IOptions<PollingOptions>>().Value;
        var shown = interval is { } own ? own.ToString("c", CultureInfo.InvariantCulture) : $"the default ({polling.DefaultInterval.ToString("c", CultureInfo.InvariantCulture)})";
        await app.Output.WriteLineAsync($"Feed {feed.Id} ({feed.Name}) is polled every {shown}.");
        if (polling.Feeds.Any(f => f.Url == feed.Url))
        {
            await app.Error.WriteLineAsync("feed set: this feed is listed in AlertBot:Polling:Feeds, whose Interval applies again at the next start.");
        }

        return ExitCode.Ok;
    }

    private static async Task<FeedRecord> RequireFeedAsync(IFeedStore feedStore, long id, CancellationToken cancellationToken) =>
        await feedStore.GetFeedAsync(id, cancellationToken)
            ?? throw new OperatorException("feed", $"there is no feed {id}. `alertbot feed list` shows the ids", ExitCode.Usage);

    private async Task<ExitCode> ExportWatchlistAsync(string channelText, string format, string? output, CancellationToken cancellationToken)
    {
        var channelRef = ParseChannel(channelText);
        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var channelStore = host.Services.GetRequiredService<IChannelStore>();
        var watchlistStore = host.Services.GetRequiredService<IWatchlistStore>();
        var channel = await channelStore.GetChannelAsync(channelRef, cancellationToken)
            ?? throw new OperatorException("watchlist export", $"there is no channel {channelRef}. Check the platform and id", ExitCode.Usage);

        var file = new WatchlistFile
        {
            Channel = channel.Ref.ToString(),
            Terms = [.. (await watchlistStore.ListWatchTermsAsync(channel.Id, cancellationToken)).Select(t => t.Text)],
        };
        var text = format.Equals("json", StringComparison.OrdinalIgnoreCase)
            ? JsonSerializer.Serialize(file, Json)
            : new SerializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Serialize(file);
        await WriteAsync(text, output, cancellationToken);
        return ExitCode.Ok;
    }

    private async Task<ExitCode> ImportWatchlistAsync(string path, string channelText, CancellationToken cancellationToken)
    {
        var channelRef = ParseChannel(channelText);
        var text = await InputFiles.ReadAllTextAsync(path, cancellationToken);
        var terms = ReadWatchlist(path, text);

        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var channelStore = host.Services.GetRequiredService<IChannelStore>();
        await channelStore.EnsureChannelAsync(channelRef, null, DateTimeOffset.UtcNow, cancellationToken);

        // Each term goes through /watch add itself, so the file meets exactly the checks a chat admin meets: length,
        // count, query syntax, unknown actors, duplicates. The unthrottled processor: the operator is not a flood.
        var processor = host.Services.GetRequiredService<CommandProcessor>();
        var context = new CommandContext(channelRef, null, "cli", UserIsAdmin: true, IsPrivate: false);
        int added = 0, refused = 0;
        foreach (var term in terms)
        {
            var reply = await processor.ExecuteAsync(new WatchArgs(WatchAction.Add, term), context, cancellationToken);
            if (reply.IsError)
            {
                refused++;
                await app.Output.WriteLineAsync($"refused: {term}: {reply.Text.Split('\n')[0]}");
            }
            else if (reply.Text.StartsWith("Watching", StringComparison.Ordinal))
            {
                added++;
            }
        }

        await app.Output.WriteLineAsync($"{terms.Count} terms in the file, {added} added to {channelRef}, {refused} refused.");
        return refused > 0 ? ExitCode.Failed : ExitCode.Ok;
    }

    /// <summary>The terms of a watchlist file; a file of another shape is one line saying what shape is expected.</summary>
    private static List<string> ReadWatchlist(string path, string text)
    {
        const string Expected = "Expected a mapping with a list of strings under 'terms' (and optionally 'channel'), as `alertbot watchlist export` writes; see the README";
        WatchlistFile? file;
        try
        {
            file = Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase)
                ? JsonSerializer.Deserialize<WatchlistFile>(text, Json)
                : new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build()
                    .Deserialize<WatchlistFile>(text);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1})" : "";
            throw new OperatorException("watchlist import", $"{path} is not a watchlist file{where}. {Expected}", ExitCode.Usage, ex);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new OperatorException("watchlist import", $"{path} is not a watchlist file (line {ex.Start.Line}). {Expected}", ExitCode.Usage, ex);
        }

        if (file?.Terms is not { Count: > 0 } terms)
        {
            throw new OperatorException("watchlist import", $"{path} lists no terms. {Expected}", ExitCode.Usage);
        }

        return terms.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToList();
    }

    private async Task<ExitCode> BackupAsync(string file, CancellationToken cancellationToken)
    {
        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var store = host.Services.GetRequiredService<IStoreMigrator>();
        if (store is not SqliteAlertStore sqlite)
        {
            throw new OperatorException(
                "backup",
                "the database is PostgreSQL, which has its own tool. Run pg_dump (e.g. `pg_dump -Fc -d alertbot -f alertbot.dump`) and restore with pg_restore",
                ExitCode.Usage);
        }

        try
        {
            await sqlite.BackupAsync(file, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw InputFiles.Unwritable(file, ex);
        }

        await app.Output.WriteLineAsync($"Backed up to {Path.GetFullPath(file)}. To restore: stop AlertBot, put this file in place of the database (delete its -wal and -shm files), start AlertBot.");
        return ExitCode.Ok;
    }

    private async Task WriteAsync(string text, string? output, CancellationToken cancellationToken)
    {
        if (output is null)
        {
            await app.Output.WriteLineAsync(text);
        }
        else
        {
            await InputFiles.WriteAllTextAsync(output, text, cancellationToken);
        }
    }

    private static bool IsHttp(string url, out Uri uri) =>
        Uri.TryCreate(url, UriKind.Absolute, out uri!) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static ChannelRef ParseChannel(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var platform = colon > 0 ? text[..colon].ToLowerInvariant() : "";
        if (colon <= 0 || colon == text.Length - 1 || !ChannelPlatforms.Contains(platform))
        {
            throw new OperatorException(
                "channel",
                $"'{text}' is not a channel: write platform:id, with platform {string.Join(", ", ChannelPlatforms)}, e.g. telegram:-1001234567890",
                ExitCode.Usage);
        }

        return new ChannelRef(platform, text[(colon + 1)..]);
    }
}
