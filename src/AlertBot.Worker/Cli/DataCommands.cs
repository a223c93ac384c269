using System.CommandLine;
using System.Text.Json;
using AlertBot.Core.Channels;
using AlertBot.Core.Feeds;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Worker.Hosting;
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
/// Moving data in and out: feeds as OPML (what every feed reader speaks), a channel's watchlist as YAML or JSON.
/// </summary>
internal sealed class DataCommands(CliApp app, IReadOnlyDictionary<string, string?>? overrides)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public void AddTo(RootCommand root, Command feed)
    {
        var output = new Option<string?>("--output") { Description = "Write to this file instead of standard output." };
        var export = new Command("export", "Every feed in the database as OPML.") { output };
        export.SetAction((parse, ct) => ExportFeedsAsync(parse.GetValue(output), ct));
        feed.Subcommands.Add(export);

        var file = new Argument<string>("file") { Description = "An OPML file." };
        var channel = new Option<string?>("--channel") { Description = "Also attach the feeds to this channel, e.g. telegram:-1001234567890." };
        var import = new Command("import", "Add the feeds of an OPML file (each records a baseline on its first poll).") { file, channel };
        import.SetAction((parse, ct) => ImportFeedsAsync(parse.GetRequiredValue(file), parse.GetValue(channel), ct));
        feed.Subcommands.Add(import);

        var watchChannel = new Option<string>("--channel") { Description = "The channel, e.g. telegram:-1001234567890 or discord:123456789012345678.", Required = true };
        var format = new Option<string>("--format") { Description = "yaml or json.", DefaultValueFactory = _ => "yaml" };
        var watchOutput = new Option<string?>("--output") { Description = "Write to this file instead of standard output." };
        var watchExport = new Command("export", "A channel's watchlist as YAML or JSON.") { watchChannel, format, watchOutput };
        watchExport.SetAction((parse, ct) => ExportWatchlistAsync(parse.GetRequiredValue(watchChannel), parse.GetValue(format)!, parse.GetValue(watchOutput), ct));

        var watchFile = new Argument<string>("file") { Description = "A .yaml, .yml or .json watchlist file." };
        var watchImport = new Command("import", "Add a watchlist file's terms to a channel (the channel is created if new).") { watchFile, watchChannel };
        watchImport.SetAction((parse, ct) => ImportWatchlistAsync(parse.GetRequiredValue(watchFile), parse.GetRequiredValue(watchChannel), ct));
        root.Subcommands.Add(new Command("watchlist", "Watchlist tools.") { watchExport, watchImport });
    }

    private async Task<int> ExportFeedsAsync(string? output, CancellationToken cancellationToken)
    {
        await using var host = await StartAsync(cancellationToken);
        var store = host.Services.GetRequiredService<IAlertStore>();
        var feeds = await store.ListFeedsAsync(cancellationToken);
        var opml = OpmlDocument.Write("AlertBot feeds", feeds.Select(f => new OpmlFeed(f.Url, f.Name)), DateTimeOffset.UtcNow);
        await WriteAsync(opml, output, cancellationToken);
        return 0;
    }

    private async Task<int> ImportFeedsAsync(string file, string? channelText, CancellationToken cancellationToken)
    {
        IReadOnlyList<OpmlFeed> feeds;
        try
        {
            await using var stream = File.OpenRead(file);
            feeds = OpmlDocument.Parse(stream);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            await app.Output.WriteLineAsync($"import refused: {ex.Message}");
            return 1;
        }

        ChannelRef? channelRef = null;
        if (channelText is not null && !TryParseChannel(channelText, out channelRef))
        {
            return 2;
        }

        await using var host = await StartAsync(cancellationToken);
        var store = host.Services.GetRequiredService<IAlertStore>();
        var interval = host.Services.GetRequiredService<IOptions<PollingOptions>>().Value.DefaultInterval;
        var channel = channelRef is { } target ? await store.EnsureChannelAsync(target, null, DateTimeOffset.UtcNow, cancellationToken) : null;
        var added = 0;
        foreach (var feed in feeds)
        {
            if (!Uri.TryCreate(feed.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                await app.Output.WriteLineAsync($"skipped (not an http(s) URL): {feed.Url}");
                continue;
            }

            var existing = await store.FindFeedByUrlAsync(uri.AbsoluteUri, cancellationToken);
            var record = existing ?? await store.UpsertFeedAsync(
                new FeedDefinition(uri.AbsoluteUri, feed.Title ?? uri.Host, interval), DateTimeOffset.UtcNow, cancellationToken);
            added += existing is null ? 1 : 0;
            if (channel is not null)
            {
                await store.AttachFeedAsync(channel.Id, record.Id, cancellationToken);
            }
        }

        await app.Output.WriteLineAsync($"{feeds.Count} feeds in the file, {added} new{(channel is null ? "" : $", all attached to {channel.Ref}")}.");
        return 0;
    }

    private async Task<int> ExportWatchlistAsync(string channelText, string format, string? output, CancellationToken cancellationToken)
    {
        if (!TryParseChannel(channelText, out var channelRef))
        {
            return 2;
        }

        await using var host = await StartAsync(cancellationToken);
        var store = host.Services.GetRequiredService<IAlertStore>();
        if (await store.GetChannelAsync(channelRef!.Value, cancellationToken) is not { } channel)
        {
            await app.Output.WriteLineAsync($"no channel {channelRef}");
            return 1;
        }

        var file = new WatchlistFile
        {
            Channel = channel.Ref.ToString(),
            Terms = [.. (await store.ListWatchTermsAsync(channel.Id, cancellationToken)).Select(t => t.Text)],
        };
        var text = format.Equals("json", StringComparison.OrdinalIgnoreCase)
            ? JsonSerializer.Serialize(file, Json)
            : new SerializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Serialize(file);
        await WriteAsync(text, output, cancellationToken);
        return 0;
    }

    private async Task<int> ImportWatchlistAsync(string path, string channelText, CancellationToken cancellationToken)
    {
        if (!TryParseChannel(channelText, out var channelRef))
        {
            return 2;
        }

        WatchlistFile? file;
        try
        {
            var text = await File.ReadAllTextAsync(path, cancellationToken);
            file = Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase)
                ? JsonSerializer.Deserialize<WatchlistFile>(text, Json)
                : new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build()
                    .Deserialize<WatchlistFile>(text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or YamlDotNet.Core.YamlException)
        {
            await app.Output.WriteLineAsync($"import refused: {ex.Message}");
            return 1;
        }

        var terms = (file?.Terms ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToList();
        await using var host = await StartAsync(cancellationToken);
        var store = host.Services.GetRequiredService<IAlertStore>();
        var channel = await store.EnsureChannelAsync(channelRef!.Value, null, DateTimeOffset.UtcNow, cancellationToken);
        var added = 0;
        foreach (var term in terms)
        {
            added += await store.AddWatchTermAsync(channel.Id, term, DateTimeOffset.UtcNow, cancellationToken) ? 1 : 0;
        }

        await app.Output.WriteLineAsync($"{terms.Count} terms in the file, {added} added to {channel.Ref}.");
        return 0;
    }

    private Task<Microsoft.AspNetCore.Builder.WebApplication> StartAsync(CancellationToken cancellationToken) =>
        StartStoreHostAsync(app.Output, overrides, cancellationToken);

    /// <summary>A host in command mode (no jobs, no chat adapters running) with the database schema in place.</summary>
    internal static async Task<Microsoft.AspNetCore.Builder.WebApplication> StartStoreHostAsync(
        TextWriter output, IReadOnlyDictionary<string, string?>? overrides, CancellationToken cancellationToken)
    {
        var host = AlertBotHost.CreateBuilder(HostMode.Command, output, overrides).Build();
        await host.Services.GetRequiredService<IAlertStore>().MigrateAsync(cancellationToken);
        return host;
    }

    private async Task WriteAsync(string text, string? output, CancellationToken cancellationToken)
    {
        if (output is null)
        {
            await app.Output.WriteLineAsync(text);
        }
        else
        {
            await File.WriteAllTextAsync(output, text, cancellationToken);
        }
    }

    private bool TryParseChannel(string text, out ChannelRef? channel)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            app.Output.WriteLine($"'{text}' is not a channel: write platform:id, e.g. telegram:-1001234567890.");
            channel = null;
            return false;
        }

        channel = new ChannelRef(text[..colon].ToLowerInvariant(), text[(colon + 1)..]);
        return true;
    }
}
