using System.Collections.Concurrent;
using AlertBot.Core.Commands;

namespace AlertBot.Discord.Tests;

/// <summary>Stands in for Core's processor (written elsewhere): records what the adapter passed and answers.</summary>
internal sealed class RecordingCommandProcessor : ICommandProcessor
{
    public ConcurrentQueue<(string Text, CommandContext Context)> Calls { get; } = new();

    public Func<string, CommandContext, CommandReply> Reply { get; set; } =
        (text, context) => new CommandReply($"done: {text} (admin={context.UserIsAdmin})");

    public Task<CommandReply> ExecuteAsync(string text, CommandContext context, CancellationToken cancellationToken)
    {
        Calls.Enqueue((text, context));
        return Task.FromResult(Reply(text, context));
    }
}
