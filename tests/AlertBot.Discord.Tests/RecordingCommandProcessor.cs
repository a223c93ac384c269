using System.Collections.Concurrent;
using AlertBot.Core.Commands;

namespace AlertBot.Discord.Tests;

/// <summary>
/// Stands in for Core's processor (written elsewhere): records what the adapter passed (a command's typed arguments,
/// or the text of a typed command) and answers.
/// </summary>
internal sealed class RecordingCommandProcessor : ICommandProcessor
{
    public ConcurrentQueue<(object Command, CommandContext Context)> Calls { get; } = new();

    public Func<object, CommandContext, CommandReply> Reply { get; set; } =
        (command, context) => new CommandReply($"done: {command} (admin={context.UserIsAdmin})");

    public Task<CommandReply> ExecuteAsync(string text, CommandContext context, CancellationToken cancellationToken) => Record(text, context);

    public Task<CommandReply> ExecuteAsync(CommandArgs command, CommandContext context, CancellationToken cancellationToken) => Record(command, context);

    private Task<CommandReply> Record(object command, CommandContext context)
    {
        Calls.Enqueue((command, context));
        return Task.FromResult(Reply(command, context));
    }
}
