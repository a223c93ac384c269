using AlertBot.Benchmarks.Matching;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Run from the repository root in Release, e.g.:
//   dotnet run -c Release --project bench/AlertBot.Benchmarks -- --job short --filter '*'
//   dotnet run -c Release --project bench/AlertBot.Benchmarks -- flat      (CPU time of the matcher and both baselines, interleaved)
if (args is ["flat", ..])
{
    FlatnessCheck.Run(Console.Out);
    return;
}

BenchmarkSwitcher
    .FromAssembly(typeof(Program).Assembly)
    .Run(args, DefaultConfig.Instance.AddColumn(new ThroughputColumn()));
