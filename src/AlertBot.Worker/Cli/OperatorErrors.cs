using System.CommandLine;
using AlertBot.Storage;
using AlertBot.Storage.Migrations;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace AlertBot.Worker.Cli;

/// <summary>The process's exit codes (README, "Exit codes"); every verb returns one.</summary>
public enum ExitCode
{
    Ok = 0,

    /// <summary>The verb ran but its work failed: a feed rejected, a probe unhealthy, feeds that failed in <c>run --once</c>.</summary>
    Failed = 1,

    /// <summary>The command or its input is wrong: usage, a setting, a missing or wrong-shaped input file.</summary>
    Usage = 2,

    /// <summary>The machine around AlertBot is in the way: the database, a busy port, a path that cannot be written.</summary>
    Environment = 3,

    /// <summary>A fault AlertBot did not expect (a bug): run again with <c>--verbose</c> for the stack trace.</summary>
    Unexpected = 70,

    /// <summary>Stopped by a signal (Ctrl+C, SIGTERM) before a verb finished; 128 + SIGINT, as shells report it.</summary>
    Interrupted = 130,
}

/// <summary>How a verb becomes a command's action.</summary>
internal static class Verbs
{
    /// <summary>
    /// Runs <paramref name="verb"/> as <paramref name="command"/>'s action, its <see cref="ExitCode"/> the process's.
    /// (Not an overload of <c>SetAction</c>: a lambda returning <c>Task&lt;ExitCode&gt;</c> would bind to its
    /// <c>Task</c> overload and lose the code.)
    /// </summary>
    public static void SetVerb(this Command command, Func<ParseResult, CancellationToken, Task<ExitCode>> verb) =>
        command.SetAction(async (parse, cancellationToken) => (int)await verb(parse, cancellationToken));
}

/// <summary>
/// An expected failure, said as one line <c>alertbot: &lt;what&gt;: &lt;why&gt;. &lt;what to do&gt;</c>.
/// </summary>
/// <param name="what">What failed, e.g. "database", "output", "health".</param>
/// <param name="message">Why, and what to do, as two sentences without the final full stop.</param>
public sealed class OperatorException(string what, string message, ExitCode exitCode, Exception? inner = null)
    : Exception(message, inner)
{
    public string What { get; } = what;

    public ExitCode ExitCode { get; } = exitCode;
}

/// <summary>Turns any exception that reaches the top of the process into its one stderr line and its exit code.</summary>
public static partial class OperatorErrors
{
    public static (string Line, ExitCode ExitCode) Describe(Exception exception)
    {
        var ex = exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : exception;
        return ex switch
        {
            OperatorException op => (Line(op.What, op.Message), op.ExitCode),
            OperationCanceledException => (Line("stopped", "interrupted before the work was done. Run it again to finish"), ExitCode.Interrupted),
            OptionsValidationException options => (
                Line("configuration", $"{string.Join(" ", options.Failures.Select(Sentence))} " +
                    "Correct the setting in config/appsettings.json or its environment variable (AlertBot__Section__Key)"),
                ExitCode.Usage),
            StorageUnavailableException or StorageSchemaException => (Line("database", ex.Message), ExitCode.Environment),
            IOException { InnerException: AddressInUseException } => (
                Line("health endpoint", $"{Sentence(ex.Message)} Stop what listens there, or set AlertBot:Health:Urls " +
                    "(AlertBot__Health__Urls=http://0.0.0.0:8081) or AlertBot:Health:Enabled=false"),
                ExitCode.Environment),

            // Configuration files that are missing or malformed, a secret file that cannot be read, a preset that is not
            // there: the loaders name the file or key in their message.
            InvalidDataException or FileNotFoundException or InvalidOperationException or FormatException => (
                Line("configuration", $"{Sentence(ex.Message)} Correct the file or setting it names"), ExitCode.Usage),
            _ => (
                Line("unexpected error", $"{ex.GetType().Name}: {Sentence(ex.Message)} Run again with --verbose for the details, and report it"),
                ExitCode.Unexpected),
        };
    }

    private static string Line(string what, string message) =>
        $"alertbot: {what}: {OneLine(message).TrimEnd('.', ' ')}.";

    private static string Sentence(string message)
    {
        var text = OneLine(message).Trim();
        return text.EndsWith('.') ? text : text + ".";
    }

    private static string OneLine(string text) => Whitespace().Replace(text, " ");

    [System.Text.RegularExpressions.GeneratedRegex(@"\s+")]
    private static partial System.Text.RegularExpressions.Regex Whitespace();
}
