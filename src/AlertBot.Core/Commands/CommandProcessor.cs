using Microsoft.Extensions.Logging;

namespace AlertBot.Core.Commands;

/// <summary>
/// Runs commands: text is parsed by the command's descriptor, typed arguments go straight to it; the descriptor's
/// handler does the work. Every reply is plain text; every read and write is keyed by <see cref="CommandContext.Channel"/>,
/// so a chat only ever sees and changes its own settings.
/// </summary>
public sealed partial class CommandProcessor(IServiceProvider services, ILogger<CommandProcessor> logger) : ICommandProcessor
{
    public Task<CommandReply> ExecuteAsync(string text, CommandContext context, CancellationToken cancellationToken)
    {
        var parsed = CommandParser.Parse(text);
        if (parsed.Command is not { } command)
        {
            // A known command typed wrongly gets its own usage; anything else the whole list.
            var word = (text ?? "").TrimStart().TrimStart('/').Split([' ', '@', '\n', '\t'], 2)[0];
            return Task.FromResult(CommandCatalog.Find(word) is { } known
                ? Replies.Usage(parsed.Error!, known.UsageLines)
                : Replies.Error(parsed.Error + "\n\n" + CommandCatalog.HelpText()));
        }

        if (CommandCatalog.FindAny(command.Name) is not { } descriptor)
        {
            return Task.FromResult(Replies.Error($"Unknown command /{command.Name}.\n\n{CommandCatalog.HelpText()}"));
        }

        var binding = descriptor.Parse(command);
        return binding.Args is { } args
            ? RunAsync(descriptor, args, context, cancellationToken)
            : Task.FromResult(binding.Problem!);
    }

    public Task<CommandReply> ExecuteAsync(CommandArgs command, CommandContext context, CancellationToken cancellationToken) =>
        RunAsync(CommandCatalog.For(command), command, context, cancellationToken);

    private async Task<CommandReply> RunAsync(CommandDescriptor descriptor, CommandArgs args, CommandContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await descriptor.RunAsync(services, args, context, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AdminCheckFailedException)
        {
            // Asked before any change, so nothing changed; the adapter logged why the platform did not answer.
            return Replies.Error("Could not check with the platform whether you are an admin of this chat, so nothing was changed. Please try again in a moment.");
        }
        catch (Exception ex)
        {
            LogCommandFailed(logger, descriptor.Name, context.Channel.ToString(), ex);
            return Replies.Error($"Sorry, /{descriptor.Name} failed because of an internal error. Nothing was lost; please try again later.");
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Command /{Command} failed in {Channel}")]
    private static partial void LogCommandFailed(ILogger logger, string command, string channel, Exception exception);
}
