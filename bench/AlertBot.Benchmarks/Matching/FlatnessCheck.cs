using System.Diagnostics;
using System.Globalization;
using AlertBot.Core.Matching;

namespace AlertBot.Benchmarks.Matching;

/// <summary>
/// The matcher's cost per item at each number of terms, measured as process CPU time rather than wall time and
/// with the sizes interleaved round by round. On a shared machine other processes' load stretches wall time by
/// whole multiples; CPU time spent in this process moves far less, which is what a flatness claim needs.
/// </summary>
internal static class FlatnessCheck
{
    private const int Operations = 3000;

    public static void Run(TextWriter output)
    {
        int[] sizes = [10, 1_000, 10_000];
        var matchers = sizes.ToDictionary(
            size => size,
            size => CompiledMatcher.Build(NewsCorpus.Terms(size).Select((term, i) => new MatchRule(i % 100, term)), NewsCorpus.Actors));
        var text = NewsCorpus.Text;
        var process = Process.GetCurrentProcess();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"text: {NewsCorpus.Utf8Bytes:N0} bytes of UTF-8; {Operations} matches per measurement"));
        for (var round = 1; round <= 3; round++)
        {
            foreach (var size in sizes)
            {
                var matcher = matchers[size];
                for (var i = 0; i < Operations / 10; i++)
                {
                    matcher.MatchText(text);
                }

                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var wall = Stopwatch.GetTimestamp();
                for (var i = 0; i < Operations; i++)
                {
                    matcher.MatchText(text);
                }

                process.Refresh();
                var cpuUs = (process.TotalProcessorTime - cpu).TotalMicroseconds / Operations;
                var wallUs = Stopwatch.GetElapsedTime(wall).TotalMicroseconds / Operations;
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"round {round}  terms {size,6:N0}  {cpuUs,7:0.0} us CPU  {wallUs,7:0.0} us wall  {NewsCorpus.Utf8Bytes / cpuUs,6:0.0} MB/s (CPU)"));
            }
        }
    }
}
