using System.Globalization;

namespace AlertBot.LoadHarness;

/// <summary>
/// The figures of one run. Cycle 0 (from the first poll) holds every feed's baseline and the start; each feed's second
/// poll is always a 304, so the window of cycle 1 is nearly all 304s, and later cycles add changes. CPU per 304 and per
/// changed feed include the worker's other work in those windows (the summary, the schedule sync, the delivery job),
/// as production would.
/// </summary>
internal sealed class Report(
    HarnessOptions options,
    FarmRequest[] requests,
    IReadOnlyList<ProcessSample> samples,
    long started,
    long t0,
    long end,
    long dbBefore,
    long dbAfter,
    Dictionary<string, double> metrics,
    long logBytes,
    long logLines,
    long alerts)
{
    public void Print(TextWriter output)
    {
        var interval = (long)options.Interval.TotalMilliseconds;
        var a = Window(t0 + interval, t0 + 2 * interval);
        var b = Window(t0 + 2 * interval, end);
        var (per304, perChanged) = Solve(a, b);
        var measured = a.Add(b);
        var cores = measured.Cpu / (measured.Millis / 1000.0);
        var polled = b.NotModified + b.Changed;
        var achieved = polled / (b.Millis / 1000.0);
        var intended = options.Feeds / options.Interval.TotalSeconds;
        var (late, early, missed, worstGap) = Punctuality(interval);
        var steady = samples.Where(s => s.Timestamp >= t0 + 2 * interval && s.Timestamp <= end).Select(s => s.RssBytes).DefaultIfEmpty(0).Average();
        var peak = samples.Select(s => s.PeakRssBytes).DefaultIfEmpty(0).Max();
        var firstPoll = (t0 - started) / 1000.0;
        var cycles = (end - t0) / (double)interval;

        output.WriteLine(Invariant($"feeds {options.Feeds}, interval {options.Interval.TotalSeconds:0} s, {options.Cycles} cycles, change share {options.ChangeShare:0.##}, busy-loop threads {options.Burners}, {Environment.ProcessorCount} cores"));
        output.WriteLine(Invariant($"  polls/s (cycles 2+)      {achieved:0.0} achieved vs {intended:0.0} intended ({polled} polls: {b.NotModified} not modified, {b.Changed} changed)"));
        output.WriteLine(Invariant($"  CPU per 304 poll         {per304 * 1000:0.00} ms"));
        output.WriteLine(Invariant($"  CPU per changed feed     {perChanged * 1000:0.00} ms"));
        output.WriteLine(Invariant($"  average cores            {cores:0.000} (cycles 1+; cycle 0 with start and baselines: {Window(t0, t0 + interval).Cpu:0.0} CPU-s)"));
        output.WriteLine(Invariant($"  RSS                      peak {peak / 1048576.0:0} MB, steady {steady / 1048576.0:0} MB"));
        output.WriteLine(Invariant($"  start to first poll      {firstPoll:0.00} s"));
        output.WriteLine(Invariant($"  punctuality (farm view)  {late} gaps > 110 % of the interval, {early} < 90 %, {missed} feeds not polled in the last cycle, worst gap {worstGap:0.00} intervals"));
        output.WriteLine(Invariant($"  worker's count           late {Metric("alertbot_polls_late")}, missed {Metric("alertbot_polls_missed")}"));
        output.WriteLine(Invariant($"  database                 {dbBefore / 1048576.0:0.0} MB before, {dbAfter / 1048576.0:0.0} MB after"));
        output.WriteLine(Invariant($"  log                      {logLines} lines, {logBytes / 1024.0:0.0} KB ({logBytes / 1024.0 / cycles:0.0} KB per cycle); /metrics {Metric("metrics_bytes") / 1024:0.0} KB"));
        output.WriteLine(Invariant($"  alerts                   {Metric("alertbot_alerts_queued")} queued, {alerts} printed by the console channel"));
        output.WriteLine(Invariant($"| {options.Feeds:N0} | {options.Interval.TotalSeconds:0} s | {cores:0.000} | {per304 * 1000:0.00} ms | {perChanged * 1000:0.00} ms | {peak / 1048576.0:0} MB | {steady / 1048576.0:0} MB | {achieved:0.0}/{intended:0.0} | {late + missed} |"));
    }

    private double Metric(string name) =>
        metrics.Where(m => m.Key == name || m.Key == name + "_total" || m.Key.StartsWith(name + "_total{", StringComparison.Ordinal) ||
                           m.Key.StartsWith(name + "{", StringComparison.Ordinal))
            .Sum(m => m.Value);

    private readonly record struct Slice(double Cpu, long Millis, long NotModified, long Changed)
    {
        public Slice Add(Slice other) => new(Cpu + other.Cpu, Millis + other.Millis, NotModified + other.NotModified, Changed + other.Changed);
    }

    private Slice Window(long from, long to)
    {
        var cpu = CpuAt(to) - CpuAt(from);
        var inside = requests.Where(r => r.Timestamp >= from && r.Timestamp < to).ToList();
        return new Slice(cpu, to - from, inside.Count(r => !r.Changed), inside.Count(r => r.Changed));
    }

    /// <summary>CPU seconds used by <paramref name="at"/>, interpolated between the two samples around it.</summary>
    private double CpuAt(long at)
    {
        var before = samples.LastOrDefault(s => s.Timestamp <= at);
        var after = samples.FirstOrDefault(s => s.Timestamp >= at);
        if (before.Timestamp == 0)
        {
            return after.CpuSeconds;
        }

        if (after.Timestamp == 0 || after.Timestamp == before.Timestamp)
        {
            return before.CpuSeconds;
        }

        return before.CpuSeconds + (after.CpuSeconds - before.CpuSeconds) * (at - before.Timestamp) / (after.Timestamp - before.Timestamp);
    }

    /// <summary>
    /// CPU per 304 from the first window (each feed's second poll: all 304s, bar a late baseline), then CPU per change
    /// from what the later windows spent beyond their 304s. Solving both windows as two equations was unstable: a
    /// garbage collection or WAL checkpoint landing in one window swings the answer.
    /// </summary>
    private static (double Per304, double PerChanged) Solve(Slice a, Slice b)
    {
        var per304 = a.NotModified + a.Changed > 0 ? a.Cpu / (a.NotModified + a.Changed) : 0;
        var perChanged = b.Changed > 0 ? Math.Max(0, b.Cpu - b.NotModified * per304) / b.Changed : 0;
        return (per304, perChanged);
    }

    /// <summary>Per feed, the gaps between its polls against the interval, and feeds that went unpolled at the end.</summary>
    private (int Late, int Early, int Missed, double WorstGap) Punctuality(long interval)
    {
        int late = 0, early = 0;
        var worst = 0.0;
        var lastCycle = new bool[options.Feeds];
        foreach (var feed in requests.GroupBy(r => r.Feed))
        {
            var times = feed.Select(r => r.Timestamp).Order().ToList();
            for (var i = 1; i < times.Count; i++)
            {
                var gap = (times[i] - times[i - 1]) / (double)interval;
                worst = Math.Max(worst, gap);
                if (gap > 1.1)
                {
                    late++;
                }
                else if (gap < 0.9)
                {
                    early++;
                }
            }

            lastCycle[feed.Key] = times[^1] >= end - interval * 1.1;
        }

        return (late, early, lastCycle.Count(polled => !polled), worst);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
