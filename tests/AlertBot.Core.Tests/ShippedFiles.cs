using AlertBot.Core.Items;
using AlertBot.Core.Watchlists;

namespace AlertBot.Core.Tests;

/// <summary>The configuration and seed files of the repository, as copied next to the tests.</summary>
internal static class ShippedFiles
{
    public const string SeedTitle = "Iranian commander visits Iraq to preserve truce with US before potential landmark talks";

    public static string ActorsPath => Path.Combine(AppContext.BaseDirectory, "config", "actors.json");

    public static string WatchlistsPath => Path.Combine(AppContext.BaseDirectory, "config", "watchlists.json");

    public static ActorDictionary Actors { get; } = ActorDictionary.Load(ActorsPath);

    /// <summary>The seed article as a feed would deliver it: the headline as title, the page text as body.</summary>
    public static NewsItem SeedArticle() => new()
    {
        Id = "https://www.thenationalnews.com/news/mena/2025/03/26/iranian-commander-visits-iraq/",
        Link = "https://www.thenationalnews.com/news/mena/2025/03/26/iranian-commander-visits-iraq/",
        Title = SeedTitle,
        Text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", "the-national-2025-03-26-qaani-iraq.txt")),
        SourceName = "The National",
        Published = new DateTimeOffset(2025, 3, 26, 8, 16, 0, TimeSpan.FromHours(4)),
    };
}

/// <summary>A scratch directory for files a test writes, removed afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "alertbot-core-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    /// <summary>Writes a config file and checks its loader refuses it with a message naming the file and the fault.</summary>
    public static void AssertLoadFails(Action<string> load, string content, string fault)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("config.json", content);

        var error = Assert.Throws<InvalidDataException>(() => load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(fault, error.Message, StringComparison.Ordinal);
    }
}
