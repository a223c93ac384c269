using System.Diagnostics;

namespace AlertBot.Testing.Postgres;

/// <summary>
/// The PostgreSQL server tests run against: the connection string in ALERTBOT_TEST_POSTGRES when set, else the local
/// test cluster that the repository's <c>.ci/postgres.sh</c> installs (from Debian's packages) and starts on first use,
/// so that <c>dotnet test AlertBot.sln</c> needs nothing started by hand. <c>ALERTBOT_TEST_POSTGRES=skip</c> switches
/// the PostgreSQL tests off on purpose.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "ALERTBOT_TEST_POSTGRES";

    private static readonly Lazy<string> Started = new(StartLocalCluster, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string? Value => Environment.GetEnvironmentVariable(Variable);

    /// <summary>Set only when the PostgreSQL tests were explicitly switched off.</summary>
    public static string? SkipReason =>
        string.Equals(Value?.Trim(), "skip", StringComparison.OrdinalIgnoreCase) ? $"{Variable}=skip" : null;

    /// <summary>A connection string of a role that may create schemas and databases.</summary>
    /// <exception cref="InvalidOperationException">No server and none could be started: the message says why and what to do.</exception>
    public static string ConnectionString => string.IsNullOrWhiteSpace(Value) ? Started.Value : Value;

    private static string StartLocalCluster()
    {
        var script = FindScript()
            ?? throw new InvalidOperationException($"{Variable} is not set and .ci/postgres.sh was not found above {AppContext.BaseDirectory}.");
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetDirectoryName(script))!,
        };
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL tests need a server: {Variable} is not set and `bash .ci/postgres.sh` (which installs and starts a " +
                $"local test cluster; it needs root or sudo) failed: {stderr.Result.Trim()}. Set {Variable} to a connection string, " +
                $"or to 'skip' to leave these tests out on purpose.");
        }

        // The script prints one line: export ALERTBOT_TEST_POSTGRES='...'
        const string prefix = "export " + Variable + "=";
        var line = stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($".ci/postgres.sh printed no '{prefix}' line.");
        return line[prefix.Length..].Trim('\'', '"');
    }

    private static string? FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, ".ci", "postgres.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
