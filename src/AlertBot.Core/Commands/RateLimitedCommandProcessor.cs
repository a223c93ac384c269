using System.Globalization;
using AlertBot.Core.Channels;
using Microsoft.Extensions.Logging;

namespace AlertBot.Core.Commands;

/// <summary>
/// The one gate every adapter's commands pass: within the limits the command runs; the first command over a limit
/// gets "slow down, try again in N s"; the rest of the flood gets <see cref="CommandReply.Silence"/>, so the bot
/// cannot be made to spam a group with refusals.
/// </summary>
public sealed partial class RateLimitedCommandProcessor(
    CommandProcessor inner,
    CommandRateLimiter limiter,
    ILogger<RateLimitedCommandProcessor> logger) : ICommandProcessor
{
    public Task<CommandReply> ExecuteAsync(string text, CommandContext context, CancellationToken cancellationToken) =>
        Gate(context, () => inner.ExecuteAsync(text, context, cancellationToken));

    public Task<CommandReply> ExecuteAsync(CommandArgs command, CommandContext context, CancellationToken cancellationToken) =>
        Gate(context, () => inner.ExecuteAsync(command, context, cancellationToken));

    private Task<CommandReply> Gate(CommandContext context, Func<Task<CommandReply>> run)
    {
        var decision = limiter.TryAcquire(context.Channel, context.UserId);
        if (decision.Allowed)
        {
            return run();
        }

        if (!decision.Warn)
        {
            return Task.FromResult(CommandReply.Silence);
        }

        var who = decision.ChatLimited ? "This chat has" : "You have";
        LogRateLimited(logger, context.Channel, decision.ChatLimited ? "chat" : "user");
        return Task.FromResult(new CommandReply(
            string.Create(CultureInfo.InvariantCulture, $"Slow down: {who} sent too many commands. Try again in {Seconds(decision.RetryAfter)} s; until then I will not answer."),
            IsError: true));
    }

    private static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Commands from {Channel} are rate limited ({Scope} limit); further ones are ignored until it refills")]
    private static partial void LogRateLimited(ILogger logger, ChannelRef channel, string scope);
}
