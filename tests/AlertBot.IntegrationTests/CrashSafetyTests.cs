using System.Text.RegularExpressions;
using AlertBot.Testing.Feeds;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The worker killed with SIGKILL at random moments while it polls and delivers, again and again: every alert still
/// arrives, at most one duplicate per kill, the outbox ends empty and the database is intact.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)] // SIGKILLs the real process twenty times
public sealed partial class CrashSafetyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Feeds = 4;
    private const int Kills = 20;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "alertbot-crash-" + Guid.NewGuid().ToString("N"));
    private LoopbackFeedServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _server = await LoopbackFeedServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [GeneratedRegex(@"^=== ALERT alert-\d+ for console:default ===\r?\n(?<title>[^\r\n]+)\r?$", RegexOptions.Multiline)]
    private static partial Regex AlertTitle();

    [Fact]
    public async Task Every_alert_arrives_through_twenty_SIGKILLs_with_at_most_one_duplicate_per_kill()
    {
        var database = Path.Combine(_directory, "alertbot.db");
        var environment = new Dictionary<string, string>
        {
            ["AlertBot__Storage__ConnectionString"] = $"Data Source={database}",
            ["AlertBot__Console__Enabled"] = "true",
            ["AlertBot__Fetch__AllowedNetworks__0"] = "127.0.0.1/32", // the loopback feed server
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var items = new List<SampleItem>[Feeds];
        for (var f = 0; f < Feeds; f++)
        {
            items[f] = [];
            environment[$"AlertBot__Polling__Feeds__{f}__Url"] = _server.Url($"/feed{f}");
            environment[$"AlertBot__Polling__Feeds__{f}__Name"] = $"Feed {f}";
            environment[$"AlertBot__Polling__Feeds__{f}__Backfill"] = "0";
            Serve(f, items[f]);
        }

        // A clean first run records the (empty) baseline of every feed.
        await RunToEndAsync(environment);

        var expected = new HashSet<string>(StringComparer.Ordinal);
        var delivered = new List<string>();
        var random = new Random(20261127);
        var story = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            // New stories on every feed: most match the console's watchlist, some do not.
            for (var f = 0; f < Feeds; f++)
            {
                for (var n = 0; n < 6; n++)
                {
                    story++;
                    var matching = n % 3 != 2;
                    var title = matching ? $"Story {story}: Houthis strike a ship in the Red Sea" : $"Story {story}: markets close higher";
                    items[f].Insert(0, new SampleItem(title, $"https://news.example/{f}/{story}", "Details follow.", DateTimeOffset.UtcNow));
                    if (matching)
                    {
                        expected.Add(title);
                    }
                }

                Serve(f, items[f]);
            }

            using var worker = WorkerProcess.Start(environment, "run", "--once");
            await Task.Delay(random.Next(150, 2500));
            worker.KillHard();
            delivered.AddRange(Titles(worker.StandardOutput));
        }

        delivered.AddRange(await RunToEndAsync(environment));

        var missing = expected.Where(t => !delivered.Contains(t)).ToList();
        var duplicates = delivered.GroupBy(t => t).Sum(g => g.Count() - 1);
        output.WriteLine($"{expected.Count} alerts expected, {delivered.Count} printed, {duplicates} duplicates over {Kills} kills");
        Assert.Empty(missing);
        Assert.All(delivered, t => Assert.Contains(t, expected));
        Assert.True(duplicates <= Kills, $"{duplicates} duplicates after {Kills} kills");

        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
        check.CommandText = "SELECT count(*) FROM outbox WHERE status = 'pending'";
        Assert.Equal(0L, (long)(await check.ExecuteScalarAsync())!);
    }

    private void Serve(int feed, List<SampleItem> items) =>
        _server.Set($"/feed{feed}", LoopbackResponse.Text(SampleFeeds.Rss($"Feed {feed}", [.. items])) with { Delay = TimeSpan.FromMilliseconds(40) });

    private static async Task<List<string>> RunToEndAsync(Dictionary<string, string> environment)
    {
        using var worker = WorkerProcess.Start(environment, "run", "--once");
        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromMinutes(2)), "run --once did not finish");
        Assert.True(worker.ExitCode == 0, worker.StandardError);
        return Titles(worker.StandardOutput);
    }

    private static List<string> Titles(string stdout) =>
        AlertTitle().Matches(stdout).Select(m => m.Groups["title"].Value).ToList();
}
