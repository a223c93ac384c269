using System.Globalization;
using System.Text;
using AlertBot.Core.Items;
using AlertBot.Core.Matching;
using AlertBot.Core.Persistence;
using AlertBot.Core.Watchlists;
using Microsoft.Extensions.Options;
using static AlertBot.Core.Commands.Replies;

namespace AlertBot.Core.Commands;

// /test, /status and /help: the commands that only read.

/// <param name="Text">The sample text, as typed.</param>
public sealed record TestArgs(string Text) : CommandArgs;

public sealed class TestCommand() : CommandDescriptor<TestArgs, TestHandler>(
    new("test", "Dry run: would this text alert here, and why", CommandAccess.Anyone)
    {
        Summary = "Show what this channel's watchlist would match in a text",
        Usage = "/test <text>",
        Options = [new("text", "A headline or paragraph", MaxLength: 4000)],
    })
{
    public override CommandPermission? Requires(TestArgs args) => null;

    public override CommandBinding Parse(ParsedCommand command) => new TestArgs(command.RawArguments);

    public override CommandBinding Bind(string? action, IReadOnlyDictionary<string, object?> values) =>
        OptionText(values, "text") is { Length: > 0 } text ? new TestArgs(text) : Missing(this, "text");
}

public sealed class TestHandler(
    IChannelStore channels,
    IWatchlistStore watchlists,
    ActorDictionary actors,
    IOptions<CommandOptions> options) : ICommandHandler<TestArgs>
{
    private const int MaxHitsShown = 10;

    public ValueTask<CommandReply?> ValidateAsync(TestArgs args, CommandContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(
            args.Text.Length == 0 ? Usage("Give the text to try.", "/test <text>")
            : args.Text.Length > options.Value.MaxTestTextLength ? Usage($"The text is {args.Text.Length} characters long; the limit is {options.Value.MaxTestTextLength}.", "/test <text>")
            : null);

    public async Task<CommandReply> HandleAsync(TestArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        var channel = await channels.GetChannelAsync(context.Channel, cancellationToken);
        var terms = channel is null ? [] : await watchlists.ListWatchTermsAsync(channel.Id, cancellationToken);
        if (channel is null || terms.Count == 0)
        {
            return new CommandReply("Nothing would alert: this chat's watchlist is empty. Add a term with /watch add <term>.");
        }

        var matcher = CompiledMatcher.Build(terms.Select(t => new MatchRule(channel.Id, t.Text)), actors);
        var matches = matcher.Match(new NewsItem { Id = "test", Title = "", Text = args.Text });
        if (!matches.ByOwner.TryGetValue(channel.Id, out var hits) || hits.Count == 0)
        {
            return new CommandReply($"Nothing would alert: none of this chat's {Plural(terms.Count, "term")} matched.");
        }

        // Bounded: many terms hitting one long sentence must not turn a 4000-character /test into a wall of replies.
        var reply = new StringBuilder("This would alert here:");
        // One line per query and sentence: a NEAR (or AND) query is one reason to alert, however many sides it has.
        var distinct = hits.GroupBy(h => (h.Term, h.Sentence)).Select(g => g.DistinctBy(h => (h.Alias, h.MatchedText)).ToList()).ToList();
        foreach (var parts in distinct.Take(MaxHitsShown))
        {
            var hit = parts[0];
            var found = parts.Count == 1
                ? (string.Equals(hit.Alias, hit.Term, StringComparison.OrdinalIgnoreCase) ? "" : $" (as \"{hit.Alias}\")") + $": \"{hit.MatchedText}\""
                : ": " + string.Join(", ", parts.Select(p => string.Equals(p.Alias, p.MatchedText, StringComparison.OrdinalIgnoreCase)
                    ? $"\"{p.MatchedText}\""
                    : $"\"{p.MatchedText}\" (as \"{p.Alias}\")"));
            reply.Append(CultureInfo.InvariantCulture, $"\n• {hit.Term}{found} in: {Excerpt(hit.Sentence, hit.MatchedText)}");
        }

        if (distinct.Count > MaxHitsShown)
        {
            reply.Append(CultureInfo.InvariantCulture, $"\n… and {distinct.Count - MaxHitsShown} more.");
        }

        if (channel is { Active: false } or { Paused: true })
        {
            reply.Append("\n(Alerts are ").Append(channel.Active ? "paused" : "off").Append(" here, so nothing would be sent now.)");
        }

        return new CommandReply(reply.ToString());
    }
}

public sealed record StatusArgs : CommandArgs;

public sealed class StatusCommand() : PlainCommand<StatusArgs, StatusHandler>(
    new("status", "Subscription, terms, feed health, last alert, queue", CommandAccess.Anyone)
    {
        Summary = "Show this channel's subscription, watchlist and feeds",
        SlashGroup = "alerts",
    });

public sealed class StatusHandler(
    IChannelStore channels,
    IWatchlistStore watchlists,
    IOutboxStore outbox,
    FeedHealth health,
    IOptions<CommandOptions> options) : ICommandHandler<StatusArgs>
{
    public async Task<CommandReply> HandleAsync(StatusArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        var channel = await channels.GetChannelAsync(context.Channel, cancellationToken);
        if (channel is null)
        {
            return new CommandReply("This chat is not subscribed. /subscribe starts alerts here.");
        }

        var state = !channel.Active ? "inactive (unsubscribed; /subscribe turns alerts back on)"
            : channel.Paused ? "paused (/resume sends alerts again)"
            : "subscribed";
        var terms = await watchlists.ListWatchTermsAsync(channel.Id, cancellationToken);
        var feeds = await channels.ListChannelFeedsAsync(channel.Id, cancellationToken);
        var stats = await outbox.GetOutboxStatsAsync(channel.Id, cancellationToken);

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Status: {state}\n");
        text.Append(CultureInfo.InvariantCulture, $"Watch terms: {terms.Count} of {options.Value.MaxTermsPerChannel}\n");
        text.Append(CultureInfo.InvariantCulture, $"Last alert: {(stats.LastDeliveredAt is { } last ? Stamp(last) : "none yet")}\n");
        text.Append(CultureInfo.InvariantCulture, $"Alerts queued: {stats.Pending}");
        if (stats.Undeliverable > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" (undeliverable: {stats.Undeliverable})");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nFeeds: {feeds.Count}");
        foreach (var feed in feeds)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n#{feed.Id} {Shown(feed.Name)}: {health.Describe(feed)}");
        }

        return new CommandReply(text.ToString());
    }
}

public sealed record HelpArgs : CommandArgs;

public sealed class HelpCommand() : PlainCommand<HelpArgs, HelpHandler>(
    new("help", "List the commands", CommandAccess.Anyone)
    {
        Summary = "What AlertBot does and how to use it",
    });

public sealed class HelpHandler : ICommandHandler<HelpArgs>
{
    public Task<CommandReply> HandleAsync(HelpArgs args, CommandContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new CommandReply(CommandCatalog.HelpText()));
}
