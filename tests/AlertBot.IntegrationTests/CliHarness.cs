using AlertBot.Worker.Cli;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The CLI run in-process on the shipped configuration with its database in a temp folder of its own; output and
/// usage errors are captured together.
/// </summary>
public sealed class CliHarness : IDisposable
{
    public CliHarness() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "alertbot-cli-" + Guid.NewGuid().ToString("N"));

    public Dictionary<string, string?> Settings => new()
    {
        ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(Folder, "alertbot.db")}",
    };

    public string PathOf(string name) => Path.Combine(Folder, name);

    public async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var exit = await new CliApp(output, Settings, output).RunAsync(args);
        return (exit, output.ToString());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
