using AlertBot.Core.Configuration;

namespace AlertBot.Core.Feeds;

/// <summary>
/// Feed packs: OPML files shipped in <c>config/feeds/</c> (<c>middle-east.opml</c>, <c>seed.opml</c>), named by their
/// file name without the extension, so that <c>feed import middle-east</c> and <c>/subscribe middle-east</c> give real
/// news without hunting for feed URLs. Operators add packs by dropping OPML files into the folder.
/// </summary>
public static class FeedPacks
{
    public const string Folder = "config/feeds";

    /// <summary>The names of the packs on disk, sorted.</summary>
    public static IReadOnlyList<string> Names()
    {
        var folder = FilePaths.Resolve(Folder);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*.opml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>The pack's file when <paramref name="name"/> is a pack's name; null otherwise (also for anything path-like).</summary>
    public static string? Find(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(['/', '\\', '.']) >= 0 || name.Length > 64)
        {
            return null;
        }

        var path = Path.Combine(FilePaths.Resolve(Folder), name.ToLowerInvariant() + ".opml");
        return File.Exists(path) ? path : null;
    }

    /// <summary>A file the user named, else the pack of that name, else the name as given (for the caller to report).</summary>
    public static string Resolve(string fileOrPack) =>
        File.Exists(fileOrPack) ? fileOrPack : Find(fileOrPack) ?? fileOrPack;
}
