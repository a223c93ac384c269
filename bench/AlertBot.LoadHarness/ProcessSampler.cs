using System.Globalization;

namespace AlertBot.LoadHarness;

/// <summary>One reading of a process from /proc: CPU time used so far and memory.</summary>
internal readonly record struct ProcessSample(long Timestamp, double CpuSeconds, long RssBytes, long PeakRssBytes);

/// <summary>Reads a Linux process's CPU time (utime + stime) and resident memory from /proc, once a second.</summary>
internal sealed class ProcessSampler(int pid)
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly List<ProcessSample> _samples = [];

    public IReadOnlyList<ProcessSample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (Read() is { } sample)
            {
                lock (_samples)
                {
                    _samples.Add(sample);
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public ProcessSample? Read()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces) start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            long rss = 0, peak = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kilobytes(line) * 1024;
                }
            }

            return new ProcessSample(Environment.TickCount64, cpu, rss, peak);
        }
        catch (IOException)
        {
            return null; // the process has ended
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
