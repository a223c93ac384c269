using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using AlertBot.Core.Feeds;
using AlertBot.Core.Items;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Summaries;
using AlertBot.Core.Watchlists;
using AlertBot.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AlertBot.Worker.Cli;

/// <summary>
/// The command line: <c>run</c> (the default), <c>run --once</c>, <c>feed check</c>, <c>match</c>, <c>summarize</c>.
/// Results go to <see cref="Output"/>; logs go to standard error.
/// </summary>
/// <param name="output">Results and alerts.</param>
/// <param name="overrides">Configuration that wins over files and environment (tests).</param>
/// <param name="error">Usage errors; standard error when null.</param>
public sealed class CliApp(TextWriter output, IReadOnlyDictionary<string, string?>? overrides = null, TextWriter? error = null)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public TextWriter Output { get; } = output;

    public static async Task<int> RunMainAsync(string[] args)
    {
        try
        {
            return await new CliApp(Console.Out).RunAsync(args);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidDataException or InvalidOperationException
                                       or FileNotFoundException)
        {
            // A bad configuration stops the process with one clear line naming the key or file, not a stack trace.
            await Console.Error.WriteLineAsync($"alertbot: configuration error: {ex.Message}");
            return 2;
        }
    }

    public async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("AlertBot: news feeds matched against watchlists, explained alerts to Discord, Telegram or the console.");

        var once = new Option<bool>("--once") { Description = "One poll of every feed and one delivery pass, then exit." };
        var run = new Command("run", "Run the service (the default when no command is given).") { once };
        run.SetAction((parse, ct) => parse.GetValue(once) ? RunOnceAsync(ct) : RunServiceAsync(ct));
        root.Subcommands.Add(run);
        root.SetAction((_, ct) => RunServiceAsync(ct));

        var source = new Argument<string>("source") { Description = "An http(s) URL, a file:// URL or a local path." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var check = new Command("check", "Fetch and parse a feed; print its items, or the reason it failed (exit 1).") { source, json };
        check.SetAction((parse, ct) => FeedCheckAsync(parse.GetRequiredValue(source), parse.GetValue(json), ct));
        var feed = new Command("feed", "Feed tools.") { check };
        root.Subcommands.Add(feed);
        new DataCommands(this, overrides).AddTo(root, feed);

        var text = new Option<string>("--text") { Description = "The text to match." };
        var file = new Option<string>("--file") { Description = "A file whose text to match." };
        var watchlist = new Option<string>("--watchlist") { Description = "The watchlist preset to match against.", DefaultValueFactory = _ => "default" };
        var matchJson = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var match = new Command("match", "Show which watch terms a text matches, and why.") { text, file, watchlist, matchJson };
        match.Validators.Add(result =>
        {
            var hasText = result.GetResult(text) is not null;
            var hasFile = result.GetResult(file) is not null;
            if (hasText == hasFile)
            {
                result.AddError("Give exactly one of --text or --file.");
            }
        });
        match.SetAction((parse, ct) => MatchAsync(parse.GetValue(text), parse.GetValue(file), parse.GetValue(watchlist)!, parse.GetValue(matchJson), ct));
        root.Subcommands.Add(match);

        var summarizeSource = new Argument<string>("source") { Description = "A feed: an http(s) URL, a file:// URL or a local path." };
        var summarizeWatchlist = new Option<string>("--watchlist") { Description = "The watchlist preset whose matches shape the summary.", DefaultValueFactory = _ => "default" };
        var summarize = new Command("summarize", "Print the alert each item of a feed would produce.") { summarizeSource, summarizeWatchlist };
        summarize.SetAction((parse, ct) => SummarizeAsync(parse.GetRequiredValue(summarizeSource), parse.GetValue(summarizeWatchlist)!, ct));
        root.Subcommands.Add(summarize);

        var healthUrl = new Option<string>("--url") { Description = "The address to probe.", DefaultValueFactory = _ => "http://127.0.0.1:8080/healthz" };
        var healthCheck = new Command("health", "Probe a running AlertBot's health endpoint (the container HEALTHCHECK); exit 0 when healthy.") { healthUrl };
        healthCheck.SetAction((parse, ct) => HealthAsync(parse.GetValue(healthUrl)!, ct));
        root.Subcommands.Add(healthCheck);

        // Exceptions are not turned into stack traces here: RunMainAsync reports configuration faults in one line.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration
        {
            Output = Output,
            Error = error ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        });
    }

    private async Task<int> RunServiceAsync(CancellationToken cancellationToken)
    {
        using var host = AlertBotHost.CreateBuilder(HostMode.Service, Output, overrides).Build();
        await host.RunAsync(cancellationToken);
        return 0;
    }

    private async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var host = AlertBotHost.CreateBuilder(HostMode.Command, Output, overrides).Build();
        var services = host.Services;
        await services.GetRequiredService<Bootstrapper>().RunAsync(cancellationToken);
        var store = services.GetRequiredService<IAlertStore>();
        var polls = services.GetRequiredService<PollService>();
        var failed = 0;
        foreach (var feed in await store.ListFeedsAsync(cancellationToken))
        {
            var outcome = await polls.PollAsync(feed.Id, cancellationToken);
            failed += outcome.Status == PollStatus.Failed ? 1 : 0;
        }

        var round = await services.GetRequiredService<DeliveryService>().DeliverAllDueAsync(cancellationToken);
        var pending = await store.GetOutboxStatsAsync(null, cancellationToken);
        await Console.Error.WriteLineAsync(
            $"run --once: {round.Delivered} alerts delivered, {pending.Pending} waiting for a retry, {failed} feeds failed.");
        return 0;
    }

    private async Task<int> HealthAsync(string url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(new Uri(url), cancellationToken);
            await Output.WriteLineAsync($"{(int)response.StatusCode} {response.ReasonPhrase}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Output.WriteLineAsync($"unhealthy: {ex.Message}");
            return 1;
        }
    }

    private async Task<int> FeedCheckAsync(string source, bool asJson, CancellationToken cancellationToken)
    {
        using var host = AlertBotHost.CreateBuilder(HostMode.Command, Output, overrides).Build();
        var result = await host.Services.GetRequiredService<IFeedReader>().ReadAsync(source, FeedValidators.None, cancellationToken);
        switch (result)
        {
            case FeedReadResult.Success ok when asJson:
                await Output.WriteLineAsync(JsonSerializer.Serialize(new { ok = true, title = ok.FeedTitle, items = ok.Items }, Json));
                return 0;
            case FeedReadResult.Success ok:
                await Output.WriteLineAsync($"{ok.FeedTitle ?? "(untitled feed)"}: {ok.Items.Count} items");
                foreach (var item in ok.Items)
                {
                    var when = (item.Published ?? item.Updated)?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "undated";
                    await Output.WriteLineAsync($"- {when}  {item.Title}");
                    await Output.WriteLineAsync($"  {item.Link ?? item.Id}");
                }

                return 0;
            case FeedReadResult.Failure failure when asJson:
                await Output.WriteLineAsync(JsonSerializer.Serialize(new { ok = false, kind = failure.Kind.ToString(), reason = failure.Reason }, Json));
                return 1;
            case FeedReadResult.Failure failure:
                await Output.WriteLineAsync($"feed rejected: {failure.Kind}: {failure.Reason}");
                return 1;
            default:
                await Output.WriteLineAsync("feed not modified");
                return 0;
        }
    }

    private async Task<int> MatchAsync(string? text, string? file, string watchlistName, bool asJson, CancellationToken cancellationToken)
    {
        using var host = AlertBotHost.CreateBuilder(HostMode.Command, Output, overrides).Build();
        if (!TryGetMatcher(host.Services, watchlistName, out var matcher, out var terms))
        {
            return 2;
        }

        var body = text ?? await File.ReadAllTextAsync(file!, cancellationToken);
        var matches = matcher.Match(new NewsItem { Id = "cli", Title = "", Text = body });
        var hits = matches.ByOwner.GetValueOrDefault(0) ?? [];
        if (asJson)
        {
            await Output.WriteLineAsync(JsonSerializer.Serialize(new { watchlist = watchlistName, terms, hits, timedOut = matches.TimedOut }, Json));
            return matches.IsComplete ? 0 : 3;
        }

        if (!matches.IsComplete)
        {
            // Never a quiet "no match": the answer is incomplete, and the exit code says so too.
            var budget = host.Services.GetRequiredService<IOptions<MatchingOptions>>().Value.RegexTimeout;
            await (error ?? Console.Error).WriteLineAsync(
                $"alertbot: regex {string.Join(", ", matches.TimedOut)} ran out of its {budget.TotalSeconds:0.###} s budget " +
                "(AlertBot:Matching:RegexTimeout); the result below may be incomplete.");
        }

        if (hits.Count == 0)
        {
            await Output.WriteLineAsync($"No match for watchlist '{watchlistName}' ({string.Join(", ", terms)}).");
            return matches.IsComplete ? 0 : 3;
        }

        foreach (var group in hits.GroupBy(h => h.Term))
        {
            await Output.WriteLineAsync($"{group.Key}: {group.Count()} hit(s)");
            foreach (var hit in group)
            {
                await Output.WriteLineAsync($"  \"{hit.MatchedText}\" (alias \"{hit.Alias}\", {hit.Field.ToString().ToLowerInvariant()}) in: {hit.Sentence}");
            }
        }

        var missing = terms.Where(t => hits.All(h => h.Term != t)).ToList();
        if (missing.Count > 0)
        {
            await Output.WriteLineAsync($"No match: {string.Join(", ", missing)}");
        }

        return matches.IsComplete ? 0 : 3;
    }

    private async Task<int> SummarizeAsync(string source, string watchlistName, CancellationToken cancellationToken)
    {
        using var host = AlertBotHost.CreateBuilder(HostMode.Command, Output, overrides).Build();
        if (!TryGetMatcher(host.Services, watchlistName, out var matcher, out _))
        {
            return 2;
        }

        var result = await host.Services.GetRequiredService<IFeedReader>().ReadAsync(source, FeedValidators.None, cancellationToken);
        if (result is not FeedReadResult.Success ok)
        {
            await Output.WriteLineAsync(result is FeedReadResult.Failure f ? $"feed rejected: {f.Kind}: {f.Reason}" : "feed not modified");
            return 1;
        }

        var summarizer = host.Services.GetRequiredService<Summarizer>();
        foreach (var item in ok.Items)
        {
            var withSource = string.IsNullOrEmpty(item.SourceName) ? item with { SourceName = ok.FeedTitle ?? source } : item;
            var hits = matcher.Match(withSource).ByOwner.GetValueOrDefault(0) ?? [];
            await Output.WriteLineAsync(Summarizer.ToPlainText(summarizer.Summarize(withSource, hits)));
            await Output.WriteLineAsync();
        }

        return 0;
    }

    private bool TryGetMatcher(IServiceProvider services, string watchlistName, out CompiledMatcher matcher, out IReadOnlyList<string> terms)
    {
        var preset = services.GetRequiredService<WatchlistPresets>().Find(watchlistName);
        if (preset is null)
        {
            Output.WriteLine($"No watchlist preset named '{watchlistName}'.");
            matcher = null!;
            terms = [];
            return false;
        }

        terms = preset.Terms;
        matcher = CompiledMatcher.Build(
            preset.Terms.Select(t => new MatchRule(0, t)),
            services.GetRequiredService<ActorDictionary>(),
            out _,
            services.GetRequiredService<IOptions<MatchingOptions>>().Value.RegexTimeout);
        return true;
    }
}
