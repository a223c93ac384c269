namespace AlertBot.Core.Configuration;

/// <summary>
/// Where a relative path from configuration points: the current directory first (a checkout, a mounted volume),
/// then the application's own directory (config/ and seeds/ ship beside the binary).
/// </summary>
public static class FilePaths
{
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var fromCurrent = Path.GetFullPath(path);
        if (File.Exists(fromCurrent) || Directory.Exists(fromCurrent))
        {
            return fromCurrent;
        }

        var fromBase = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path));
        return File.Exists(fromBase) || Directory.Exists(fromBase) ? fromBase : fromCurrent;
    }
}
