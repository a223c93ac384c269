using System.Diagnostics;
using System.Text;

namespace AlertBot.IntegrationTests;

/// <summary>The real worker executable (src/AlertBot.Worker's build output) run as a child process.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private WorkerProcess(Process process) => _process = process;

    /// <summary>The worker's build output folder, for the same configuration as this test assembly.</summary>
    public static string WorkerDirectory { get; } = FindWorkerDirectory();

    public static WorkerProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = WorkerDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(WorkerDirectory, "alertbot.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (worker._stdout) { worker._stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (worker._stderr) { worker._stderr.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    public string StandardOutput { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string StandardError { get { lock (_stderr) { return _stderr.ToString(); } } }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL: no shutdown hooks, no flush, nothing finishes.</summary>
    public void KillHard()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _process.WaitForExit();
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit(); // drains the redirected streams
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
    }

    private static string FindWorkerDirectory()
    {
        // tests/AlertBot.IntegrationTests/bin/<Configuration>/net10.0 → src/AlertBot.Worker/bin/<Configuration>/net10.0
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var repository = here.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var directory = Path.Combine(repository, "src", "AlertBot.Worker", "bin", configuration, framework);
        if (!File.Exists(Path.Combine(directory, "alertbot.dll")))
        {
            throw new InvalidOperationException($"The worker is not built at {directory}.");
        }

        return directory;
    }
}
