using System.Globalization;
using AlertBot.Benchmarks.Matching;
using AlertBot.Benchmarks.Retention;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Run from the repository root in Release, e.g.:
//   dotnet run -c Release --project bench/AlertBot.Benchmarks -- --job short --filter '*'
//   dotnet run -c Release --project bench/AlertBot.Benchmarks -- flat      (CPU time of the matcher and both baselines, interleaved)
//   dotnet run -c Release --project bench/AlertBot.Benchmarks -- retention-soak [days] [max-age-days] [--no-prune]
if (args is ["retention-soak", .. var soak])
{
    var numbers = soak.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
    await RetentionSoak.RunAsync(Console.Out, numbers.ElementAtOrDefault(0) is > 0 and var d ? d : 120, numbers.ElementAtOrDefault(1) is > 0 and var m ? m : 30, !soak.Contains("--no-prune"));
    return;
}

if (args is ["flat", ..])
{
    FlatnessCheck.Run(Console.Out);
    return;
}

BenchmarkSwitcher
    .FromAssembly(typeof(Program).Assembly)
    .Run(args, DefaultConfig.Instance.AddColumn(new ThroughputColumn()));
