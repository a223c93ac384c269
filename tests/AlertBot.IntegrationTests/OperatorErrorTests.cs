using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AlertBot.IntegrationTests;

/// <summary>
/// An operator's mistakes, each made against the real executable: the process ends with its documented exit code and
/// says so in exactly one line on standard error (<c>alertbot: what: why. what to do</c>), without a stack trace.
/// Logs are held at Warning so that a second report of the same failure (a log line with the exception) shows up.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)] // starts the real process per case
public sealed partial class OperatorErrorTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "alertbot-ops-" + Guid.NewGuid().ToString("N"));

    public OperatorErrorTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private string Database => Path.Combine(_folder, "alertbot.db");

    private async Task<(int Exit, string Output, string Error)> RunAsync(Dictionary<string, string>? environment, params string[] args)
    {
        var env = new Dictionary<string, string>
        {
            ["AlertBot__Storage__ConnectionString"] = $"Data Source={Database}",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Warning",
            ["AlertBot__Health__Urls"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in environment ?? [])
        {
            env[key] = value;
        }

        using var process = WorkerProcess.Start(env, args);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(90)), $"alertbot {string.Join(' ', args)} did not exit");
        return (process.ExitCode, process.StandardOutput, process.StandardError);
    }

    /// <summary>The one line on standard error, after checking that it is the only one and that no stack trace came.</summary>
    private static string OneLine(string stderr)
    {
        Assert.DoesNotMatch(StackFrame(), stderr);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("alertbot: ", line, StringComparison.Ordinal);
        Assert.EndsWith(".", line, StringComparison.Ordinal);
        return line;
    }

    private async Task<string> FailsAsync(int exitCode, Dictionary<string, string>? environment, params string[] args)
    {
        var (exit, _, error) = await RunAsync(environment, args);
        Assert.True(exit == exitCode, $"exit {exit}, expected {exitCode}; stderr: {error}");
        return OneLine(error);
    }

    [Fact]
    public async Task A_busy_health_port_is_named_with_the_setting_that_moves_it()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var line = await FailsAsync(3, new() { ["AlertBot__Health__Urls"] = $"http://127.0.0.1:{port}" }, "run");
        Assert.Contains($"http://127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("address already in use", line, StringComparison.Ordinal);
        Assert.Contains("AlertBot:Health:Urls", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_negative_backfill_is_refused_by_its_key_before_anything_runs()
    {
        var line = await FailsAsync(2, new() { ["AlertBot__Polling__Feeds__0__Backfill"] = "-5" }, "run", "--once");
        Assert.Contains("AlertBot:Polling:Feeds:0:Backfill must be between 0 and 1000 (got -5)", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Database), "nothing should have been written");
    }

    [Theory]
    [InlineData("match", "--text", "Houthis")]
    [InlineData("feed", "check", "seeds/seed-feed.xml")]
    [InlineData("feed", "export")]
    [InlineData("run", "--once")]
    public async Task Every_verb_validates_the_options_first(params string[] args)
    {
        var line = await FailsAsync(2, new() { ["AlertBot__Polling__Jitter"] = "0.9" }, args);
        Assert.StartsWith("alertbot: configuration: AlertBot:Polling:Jitter must be between 0 and 0.5.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zero_delivery_parallelism_is_refused_at_start_before_a_poll()
    {
        var (exit, output, error) = await RunAsync(new() { ["AlertBot__Delivery__Parallelism"] = "0" }, "run");
        Assert.Equal(2, exit);
        Assert.Contains("AlertBot:Delivery:Parallelism must be between 1 and 256", OneLine(error), StringComparison.Ordinal);
        Assert.DoesNotContain("=== ALERT", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_written_by_a_newer_version_is_refused_in_one_line()
    {
        await using (var connection = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;" +
                "INSERT INTO schema_migrations VALUES (9999, 'from_the_future', '2030-01-01T00:00:00.0000000Z');");
        }

        var line = await FailsAsync(3, null, "run", "--once");
        Assert.StartsWith("alertbot: database: The database schema is at version 9999", line, StringComparison.Ordinal);
        Assert.Contains("upgrade AlertBot", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_database_file_says_restore_or_move_it()
    {
        await File.WriteAllTextAsync(Database, "this is not a database, it is a text file that is long enough to have a header");
        var line = await FailsAsync(3, null, "feed", "list");
        Assert.Contains($"{Database} is not an SQLite database or is damaged", line, StringComparison.Ordinal);
        Assert.Contains("Restore it from a backup", line, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes; the container image is Linux
    public async Task An_unwritable_data_folder_is_named_with_the_user_that_must_write_it()
    {
        // Root writes through file modes, so as root the folder is one no one can create files in.
        string folder;
        if (Environment.UserName == "root")
        {
            folder = "/sys";
        }
        else
        {
            folder = Path.Combine(_folder, "readonly");
            Directory.CreateDirectory(folder);
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        try
        {
            var line = await FailsAsync(3, new() { ["AlertBot__Storage__ConnectionString"] = $"Data Source={folder}/alertbot.db" }, "run", "--once");
            Assert.Contains($"cannot open the SQLite database {folder}/alertbot.db (unable to open database file)", line, StringComparison.Ordinal);
            Assert.Contains($"The folder {folder} must exist and be writable", line, StringComparison.Ordinal);
            Assert.Contains("UID 1654", line, StringComparison.Ordinal);
        }
        finally
        {
            if (folder != "/sys")
            {
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    [Fact]
    public async Task A_wrong_postgres_password_and_a_missing_schema_each_say_which_setting_to_fix()
    {
        var wrongPassword = new NpgsqlConnectionStringBuilder(AlertBot.Testing.Postgres.TestPostgres.ConnectionString) { Password = "not-the-password" };
        var line = await FailsAsync(
            3,
            new() { ["AlertBot__Storage__Provider"] = "Postgres", ["AlertBot__Storage__ConnectionString"] = wrongPassword.ConnectionString },
            "run",
            "--once");
        Assert.Contains("refused the login (password authentication failed", line, StringComparison.Ordinal);
        Assert.Contains("Correct Username and Password in AlertBot:Storage:ConnectionString", line, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", line, StringComparison.Ordinal);

        var missingSchema = new NpgsqlConnectionStringBuilder(AlertBot.Testing.Postgres.TestPostgres.ConnectionString)
        {
            SearchPath = "alertbot_no_such_schema_" + Guid.NewGuid().ToString("N"),
        };
        var schemaLine = await FailsAsync(
            3,
            new() { ["AlertBot__Storage__Provider"] = "Postgres", ["AlertBot__Storage__ConnectionString"] = missingSchema.ConnectionString },
            "feed",
            "list");
        Assert.Contains($"Search Path ({missingSchema.SearchPath}) names no schema that exists", schemaLine, StringComparison.Ordinal);
        Assert.Contains("CREATE SCHEMA", schemaLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_with_a_url_that_is_not_one_is_a_usage_error()
    {
        var line = await FailsAsync(2, null, "health", "--url", "notaurl");
        Assert.Equal("alertbot: health: 'notaurl' is not an http(s) URL. Give the endpoint's address, e.g. --url http://127.0.0.1:8080/healthz.", line);
    }

    [Fact]
    public async Task An_output_in_a_missing_folder_is_refused_by_feed_and_watchlist_export_alike()
    {
        var feedLine = await FailsAsync(3, null, "feed", "export", "--output", "/nonexistent/x");
        Assert.Equal(
            "alertbot: output: cannot write /nonexistent/x (its folder does not exist). Choose a file in a folder that exists and that you may write to.",
            feedLine);

        var list = Path.Combine(_folder, "list.yaml");
        await File.WriteAllTextAsync(list, "terms:\n  - Houthis\n");
        Assert.Equal(0, (await RunAsync(null, "watchlist", "import", list, "--channel", "telegram:5")).Exit);
        var watchLine = await FailsAsync(3, null, "watchlist", "export", "--channel", "telegram:5", "--output", "/nonexistent/x");
        Assert.Equal(feedLine, watchLine);
    }

    [Theory]
    [InlineData("match", "--file", "/nonexistent/text.txt")]
    [InlineData("feed", "import", "/nonexistent/text.txt")]
    [InlineData("feed", "check", "/nonexistent/text.txt")]
    [InlineData("summarize", "/nonexistent/text.txt")]
    [InlineData("watchlist", "import", "/nonexistent/text.txt", "--channel", "telegram:1")]
    public async Task A_missing_input_file_is_the_same_line_and_exit_code_in_every_verb(params string[] args)
    {
        var line = await FailsAsync(2, null, args);
        Assert.Equal("alertbot: input: /nonexistent/text.txt does not exist. Check the path (a relative path is read from the current folder).", line);
    }

    [Fact]
    public async Task Usage_mistakes_are_refused_in_one_line_with_exit_2()
    {
        var format = await FailsAsync(2, null, "watchlist", "export", "--channel", "telegram:1", "--format", "xml");
        Assert.Contains("'xml'", format, StringComparison.Ordinal);
        Assert.Contains("watchlist export --help", format, StringComparison.Ordinal);

        var opml = Path.Combine(_folder, "feeds.opml");
        await File.WriteAllTextAsync(opml, """<opml version="2.0"><body><outline type="rss" text="A" xmlUrl="https://a.example/rss"/></body></opml>""");
        var platform = await FailsAsync(2, null, "feed", "import", opml, "--channel", "slack:123");
        Assert.Contains("'slack:123' is not a channel", platform, StringComparison.Ordinal);
        Assert.False(File.Exists(Database), "a refused import must not touch the database");
    }

    [Fact]
    public async Task Run_once_fails_when_a_feed_failed_and_says_how_many()
    {
        var (exit, _, error) = await RunAsync(
            new() { ["AlertBot__Polling__Feeds__1__Url"] = Path.Combine(_folder, "gone.xml") },
            "run",
            "--once");
        Assert.Equal(1, exit);
        Assert.Contains("1 of 2 feeds failed", error, StringComparison.Ordinal);
        Assert.DoesNotMatch(StackFrame(), error);
    }

    [GeneratedRegex(@"^\s+at \S", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
