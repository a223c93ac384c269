using System.Diagnostics;
using System.Globalization;
using AlertBot.Core.Matching;

namespace AlertBot.Benchmarks.Matching;

/// <summary>
/// The matcher's cost per item at each number of terms (plain terms, and actors named only by description), next to
/// the two baselines (a regex per term, one
/// <see cref="System.Buffers.SearchValues{T}"/> of all terms), measured as process CPU time rather than wall time,
/// with every contender and size interleaved round by round. On a shared machine other processes' load stretches
/// wall time by whole multiples; CPU time spent in this process moves far less, which is what a comparison needs.
/// </summary>
internal static class FlatnessCheck
{
    private const int Rounds = 7;

    /// <summary>Each measurement runs about this much CPU time, whatever one operation costs.</summary>
    private static readonly TimeSpan MeasurementCpu = TimeSpan.FromMilliseconds(300);

    public static void Run(TextWriter output)
    {
        int[] sizes = [10, 1_000, 10_000];
        var text = NewsCorpus.Text;
        var contenders = new List<Contender>();
        foreach (var size in sizes)
        {
            var terms = NewsCorpus.Terms(size);
            var matcher = CompiledMatcher.Build(terms.Select((term, i) => new MatchRule(i % 100, term)), NewsCorpus.Actors);
            var searchValues = Baselines.SearchValues(terms);
            var regexes = Baselines.Regexes(terms);
            contenders.Add(new Contender("matcher", size, () => matcher.MatchText(text).ByOwner.Count));
            var (described, describedActors) = NewsCorpus.DescribedTerms(size);
            var describedMatcher = CompiledMatcher.Build(described.Select((term, i) => new MatchRule(i % 100, term)), describedActors);
            contenders.Add(new Contender("described", size, () => describedMatcher.MatchText(text).ByOwner.Count));
            contenders.Add(new Contender("SearchValues", size, () => Baselines.CountSearchValuesHits(searchValues, text)));
            contenders.Add(new Contender("regex/term", size, () => Baselines.CountRegexHits(regexes, text)));
        }

        var process = Process.GetCurrentProcess();

        // Every contender is warmed up (JIT tiering, on a busy machine, takes a while) and then calibrated before any
        // measurement, so that round 1 is measured like the others.
        for (var pass = 0; pass < 3; pass++)
        {
            foreach (var contender in contenders)
            {
                contender.Operations = Calibrate(process, contender.Run);
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"text: {NewsCorpus.Utf8Bytes:N0} bytes of UTF-8; about {MeasurementCpu.TotalMilliseconds:0} ms of CPU per measurement"));
        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var contender in contenders)
            {
                var cpu = Cpu(process);
                var wall = Stopwatch.GetTimestamp();
                for (var i = 0; i < contender.Operations; i++)
                {
                    contender.Run();
                }

                var cpuUs = (Cpu(process) - cpu).TotalMicroseconds / contender.Operations;
                var wallUs = Stopwatch.GetElapsedTime(wall).TotalMicroseconds / contender.Operations;
                contender.CpuUs.Add(cpuUs);
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"round {round}  {contender.Name,-12}  terms {contender.Size,6:N0}  {cpuUs,10:0.0} us CPU  {wallUs,10:0.0} us wall  {NewsCorpus.Utf8Bytes / cpuUs,7:0.0} MB/s (CPU)  x{contender.Operations}"));
            }
        }

        output.WriteLine();
        output.WriteLine("median CPU us per item over the " + Rounds.ToString(CultureInfo.InvariantCulture) + " rounds (MB/s of CPU):");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {"terms",6} | {"matcher",18} | {"described",18} | {"SearchValues",18} | {"regex/term",20} |"));
        foreach (var size in sizes)
        {
            string Cell(string name)
            {
                var us = Median(contenders.Single(c => c.Name == name && c.Size == size).CpuUs);
                return string.Create(CultureInfo.InvariantCulture, $"{us:0.0} ({NewsCorpus.Utf8Bytes / us:0.0})");
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {size,6:N0} | {Cell("matcher"),18} | {Cell("described"),18} | {Cell("SearchValues"),18} | {Cell("regex/term"),20} |"));
        }
    }

    /// <summary>Warms the contender up and picks how many operations make one measurement of about <see cref="MeasurementCpu"/>.</summary>
    private static int Calibrate(Process process, Func<int> run)
    {
        var start = Cpu(process);
        var warmUps = 0;
        while (Cpu(process) - start < MeasurementCpu / 3 || warmUps < 3)
        {
            run();
            warmUps++;
        }

        var perOperation = (Cpu(process) - start) / warmUps;
        return Math.Max(3, (int)(MeasurementCpu / perOperation));
    }

    private static TimeSpan Cpu(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed class Contender(string name, int size, Func<int> run)
    {
        public string Name { get; } = name;

        public int Size { get; } = size;

        public Func<int> Run { get; } = run;

        public int Operations { get; set; }

        public List<double> CpuUs { get; } = [];
    }
}
