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
using Microsoft.AspNetCore.Builder;
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
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public TextWriter Output { get; } = output;

    /// <summary>Notes and progress beside the results, and the one-line failures.</summary>
    public TextWriter Error { get; } = error ?? Console.Error;

    public static Task<int> RunMainAsync(string[] args) => new CliApp(Console.Out).RunAsync(args);

    /// <summary>
    /// Runs one command line. Every failure ends here as one line on the error writer and an exit code
    /// (<see cref="ExitCode"/>); the stack trace follows only with <c>--verbose</c> or <c>ALERTBOT_VERBOSE=1</c>.
    /// </summary>
    public async Task<int> RunAsync(string[] args)
    {
        var errors = Error;
        try
        {
            return await InvokeAsync(args, errors);
        }
        catch (Exception ex)
        {
            var (line, exitCode) = OperatorErrors.Describe(ex);
            await errors.WriteLineAsync(line);
            if (Verbose(args))
            {
                await errors.WriteLineAsync(ex.ToString());
            }

            return (int)exitCode;
        }
    }

    private static bool Verbose(string[] args) =>
        args.Contains("--verbose", StringComparer.Ordinal) ||
        Environment.GetEnvironmentVariable("ALERTBOT_VERBOSE") is "1" or "true" ||
        Environment.GetEnvironmentVariable("Logging__LogLevel__Default") is { } level &&
            (level.Equals("Debug", StringComparison.OrdinalIgnoreCase) || level.Equals("Trace", StringComparison.OrdinalIgnoreCase));

    private async Task<int> InvokeAsync(string[] args, TextWriter errors)
    {
        var root = new RootCommand("AlertBot: news feeds matched against watchlists, explained alerts to Discord, Telegram or the console.");
        root.Options.Add(new Option<bool>("--verbose") { Description = "On a failure, print the stack trace after the one-line message.", Recursive = true });

        var once = new Option<bool>("--once") { Description = "One poll of every feed and one delivery pass, then exit." };
        var run = new Command("run", "Run the service (the default when no command is given).") { once };
        run.SetVerb((parse, ct) => parse.GetValue(once) ? RunOnceAsync(ct) : RunServiceAsync(ct));
        root.Subcommands.Add(run);
        root.SetVerb((_, ct) => RunServiceAsync(ct));

        var source = new Argument<string>("source") { Description = "An http(s) URL, a file:// URL or a local path." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var check = new Command("check", "Fetch and parse a feed; print its items, or the reason it failed (exit 1).") { source, json };
        check.SetVerb((parse, ct) => FeedCheckAsync(parse.GetRequiredValue(source), parse.GetValue(json), ct));
        var feed = new Command("feed", "Feed tools.") { check };
        root.Subcommands.Add(feed);
        new DataCommands(this).AddTo(root, feed);
        new OutboxCommands(this).AddTo(root);

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
        match.SetVerb((parse, ct) => MatchAsync(parse.GetValue(text), parse.GetValue(file), parse.GetValue(watchlist)!, parse.GetValue(matchJson), ct));
        root.Subcommands.Add(match);

        var summarizeSource = new Argument<string>("source") { Description = "A feed: an http(s) URL, a file:// URL or a local path." };
        var summarizeWatchlist = new Option<string>("--watchlist") { Description = "The watchlist preset whose matches shape the summary.", DefaultValueFactory = _ => "default" };
        var summarize = new Command("summarize", "Print the alert each item of a feed would produce.") { summarizeSource, summarizeWatchlist };
        summarize.SetVerb((parse, ct) => SummarizeAsync(parse.GetRequiredValue(summarizeSource), parse.GetValue(summarizeWatchlist)!, ct));
        root.Subcommands.Add(summarize);

        var healthUrl = new Option<string>("--url") { Description = "The address to probe.", DefaultValueFactory = _ => "http://127.0.0.1:8080/healthz" };
        var healthCheck = new Command("health", "Probe a running AlertBot's health endpoint (the container HEALTHCHECK); exit 0 when healthy.") { healthUrl };
        healthCheck.SetVerb((parse, ct) => HealthAsync(parse.GetValue(healthUrl)!, ct));
        root.Subcommands.Add(healthCheck);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
        {
            // A usage mistake is one line too, and exit 2 like every other input the user must correct.
            var verb = string.Join(' ', parsed.CommandResult.Command.Name == root.Name ? [] : CommandPath(parsed.CommandResult));
            throw new OperatorException(
                "usage",
                $"{string.Join(" ", parsed.Errors.Select(e => e.Message.TrimEnd('.') + "."))} Run 'alertbot {verb}{(verb.Length > 0 ? " " : "")}--help' for the options",
                ExitCode.Usage);
        }

        // Exceptions are not turned into stack traces here: RunAsync reports each in one line.
        return await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = Output,
            Error = errors,
            EnableDefaultExceptionHandler = false,
        });
    }

    private static Stack<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is System.CommandLine.Parsing.CommandResult { Parent: not null } c; r = c.Parent)
        {
            names.Push(c.Command.Name);
        }

        return names;
    }

    private async Task<ExitCode> RunServiceAsync(CancellationToken cancellationToken)
    {
        using var host = AlertBotHost.CreateBuilder(HostMode.Service, Output, overrides).Build();
        await host.RunAsync(cancellationToken);
        return ExitCode.Ok;
    }

    private async Task<ExitCode> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var host = BuildCommandHost();
        var services = host.Services;
        await services.GetRequiredService<Bootstrapper>().RunAsync(cancellationToken);
        var feedStore = services.GetRequiredService<IFeedStore>();
        var outbox = services.GetRequiredService<IOutboxStore>();
        var polls = services.GetRequiredService<PollService>();
        var failed = 0;
        var feeds = await feedStore.ListFeedsAsync(cancellationToken);
        foreach (var feed in feeds)
        {
            var outcome = await polls.PollAsync(feed.Id, cancellationToken);
            failed += outcome.Status == PollStatus.Failed ? 1 : 0;
        }

        var round = await services.GetRequiredService<DeliveryService>().DeliverAllDueAsync(cancellationToken);
        var pending = await outbox.GetOutboxStatsAsync(null, cancellationToken);
        await Error.WriteLineAsync(
            $"run --once: {round.Delivered} alerts delivered, {pending.Pending} waiting for a retry, {failed} of {feeds.Count} feeds failed.");

        // Non-zero when a feed failed, so cron and scripts notice; `alertbot feed list` shows each feed's error.
        return failed > 0 ? ExitCode.Failed : ExitCode.Ok;
    }

    private async Task<ExitCode> HealthAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new OperatorException(
                "health", $"'{url}' is not an http(s) URL. Give the endpoint's address, e.g. --url http://127.0.0.1:8080/healthz", ExitCode.Usage);
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(uri, cancellationToken);
            await Output.WriteLineAsync($"{(int)response.StatusCode} {response.ReasonPhrase}");
            return response.IsSuccessStatusCode ? ExitCode.Ok : ExitCode.Failed;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Output.WriteLineAsync($"unhealthy: {ex.Message}");
            return ExitCode.Failed;
        }
    }

    private async Task<ExitCode> FeedCheckAsync(string source, bool asJson, CancellationToken cancellationToken)
    {
        using var host = BuildCommandHost();
        InputFiles.RequireLocalSource(source);
        var result = await host.Services.GetRequiredService<IFeedReader>().ReadAsync(source, FeedValidators.None, cancellationToken);
        switch (result)
        {
            case FeedReadResult.Success ok when asJson:
                await Output.WriteLineAsync(JsonSerializer.Serialize(new { ok = true, title = ok.FeedTitle, readFrom = ok.ReadFrom, items = ok.Items }, Json));
                return ExitCode.Ok;
            case FeedReadResult.Success ok:
                if (ok.ReadFrom is not null)
                {
                    await Output.WriteLineAsync($"{source} is a web page; read the feed it links to: {ok.ReadFrom}");
                }

                await Output.WriteLineAsync($"{ok.FeedTitle ?? "(untitled feed)"}: {ok.Items.Count} items");
                foreach (var item in ok.Items)
                {
                    var when = (item.Published ?? item.Updated)?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "undated";
                    await Output.WriteLineAsync($"- {when}  {item.Title}");
                    await Output.WriteLineAsync($"  {item.Link ?? item.Id}");
                }

                return ExitCode.Ok;
            case FeedReadResult.Failure failure when asJson:
                await Output.WriteLineAsync(JsonSerializer.Serialize(new { ok = false, kind = failure.Kind.ToString(), reason = failure.Reason }, Json));
                return ExitCode.Failed;
            case FeedReadResult.Failure failure:
                await Output.WriteLineAsync($"feed rejected: {failure.Kind}: {failure.Reason}");
                return ExitCode.Failed;
            default:
                await Output.WriteLineAsync("feed not modified");
                return ExitCode.Ok;
        }
    }

    private async Task<ExitCode> MatchAsync(string? text, string? file, string watchlistName, bool asJson, CancellationToken cancellationToken)
    {
        using var host = BuildCommandHost();
        var (matcher, terms) = GetMatcher(host.Services, watchlistName);
        var body = text ?? await InputFiles.ReadAllTextAsync(file!, cancellationToken);
        var matches = matcher.Match(new NewsItem { Id = "cli", Title = "", Text = body });
        var hits = matches.ByOwner.GetValueOrDefault(0) ?? [];
        if (asJson)
        {
            await Output.WriteLineAsync(JsonSerializer.Serialize(new { watchlist = watchlistName, terms, hits, timedOut = matches.TimedOut }, Json));
            return matches.IsComplete ? ExitCode.Ok : ExitCode.Environment;
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
            return matches.IsComplete ? ExitCode.Ok : ExitCode.Environment;
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

        return matches.IsComplete ? ExitCode.Ok : ExitCode.Environment;
    }

    private async Task<ExitCode> SummarizeAsync(string source, string watchlistName, CancellationToken cancellationToken)
    {
        using var host = BuildCommandHost();
        var (matcher, _) = GetMatcher(host.Services, watchlistName);
        InputFiles.RequireLocalSource(source);
        var result = await host.Services.GetRequiredService<IFeedReader>().ReadAsync(source, FeedValidators.None, cancellationToken);
        if (result is not FeedReadResult.Success ok)
        {
            await Output.WriteLineAsync(result is FeedReadResult.Failure f ? $"feed rejected: {f.Kind}: {f.Reason}" : "feed not modified");
            return ExitCode.Failed;
        }

        var summarizer = host.Services.GetRequiredService<Summarizer>();
        foreach (var item in ok.Items)
        {
            var withSource = string.IsNullOrEmpty(item.SourceName) ? item with { SourceName = ok.FeedTitle ?? source } : item;
            var hits = matcher.Match(withSource).ByOwner.GetValueOrDefault(0) ?? [];
            await Output.WriteLineAsync(Summarizer.ToPlainText(summarizer.Summarize(withSource, hits)));
            await Output.WriteLineAsync();
        }

        return ExitCode.Ok;
    }

    /// <summary>A host for a CLI verb, its options validated before the verb does anything (as the service's start does).</summary>
    internal WebApplication BuildCommandHost()
    {
        var host = AlertBotHost.CreateBuilder(HostMode.Command, Output, overrides).Build();
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
            return host;
        }
        catch
        {
            ((IDisposable)host).Dispose();
            throw;
        }
    }

    /// <summary>A command host (no jobs, no chat adapters running) with the database schema in place.</summary>
    internal async Task<WebApplication> StartStoreHostAsync(CancellationToken cancellationToken)
    {
        var host = BuildCommandHost();
        try
        {
            await host.Services.GetRequiredService<IStoreMigrator>().MigrateAsync(cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private static (CompiledMatcher Matcher, IReadOnlyList<string> Terms) GetMatcher(IServiceProvider services, string watchlistName)
    {
        var presets = services.GetRequiredService<WatchlistPresets>();
        var preset = presets.Find(watchlistName)
            ?? throw new OperatorException(
                "watchlist",
                $"no watchlist preset named '{watchlistName}'. Use one of: {string.Join(", ", presets.Select(p => p.Name))}",
                ExitCode.Usage);
        var matcher = CompiledMatcher.Build(
            preset.Terms.Select(t => new MatchRule(0, t)),
            services.GetRequiredService<ActorDictionary>(),
            out _,
            services.GetRequiredService<IOptions<MatchingOptions>>().Value.RegexTimeout);
        return (matcher, preset.Terms);
    }
}
