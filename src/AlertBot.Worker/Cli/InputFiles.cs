namespace AlertBot.Worker.Cli;

/// <summary>
/// Files the CLI reads and writes, with the same one-line failures in every verb: a missing or unreadable input is
/// exit 2 (the command must change), an output that cannot be written is exit 3 (the machine must change).
/// </summary>
internal static class InputFiles
{
    public static async Task<string> ReadAllTextAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, ex);
        }
    }

    public static FileStream OpenRead(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, ex);
        }
    }

    /// <summary>A feed source that is a local path or file:// URL must exist; http(s) sources are the fetcher's to judge.</summary>
    public static void RequireLocalSource(string source)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return;
        }

        var path = uri is { IsFile: true } ? uri.LocalPath : source;
        if (!File.Exists(path) && !File.Exists(Core.Configuration.FilePaths.Resolve(path)))
        {
            throw Unreadable(source, new FileNotFoundException());
        }
    }

    public static async Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        try
        {
            await File.WriteAllTextAsync(path, text, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(path, ex);
        }
    }

    public static OperatorException Unwritable(string path, Exception ex) => new(
        "output",
        $"cannot write {Path.GetFullPath(path)} ({Reason(ex)}). Choose a file in a folder that exists and that you may write to",
        ExitCode.Environment,
        ex);

    private static OperatorException Unreadable(string path, Exception ex) => ex is FileNotFoundException or DirectoryNotFoundException
        ? new("input", $"{path} does not exist. Check the path (a relative path is read from the current folder)", ExitCode.Usage, ex)
        : new("input", $"cannot read {path} ({Reason(ex)}). Check the file's permissions", ExitCode.Usage, ex);

    private static string Reason(Exception ex) => ex switch
    {
        DirectoryNotFoundException => "its folder does not exist",
        UnauthorizedAccessException => "permission denied",
        _ => ex.Message.TrimEnd('.'),
    };
}
