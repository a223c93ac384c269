using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AlertBot.Benchmarks.Matching;

/// <summary>MB/s over the UTF-8 size of the benchmark text, from the mean time per operation.</summary>
public sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Megabytes (10^6) of text matched per second; the text is {NewsCorpus.Utf8Bytes:N0} bytes of UTF-8";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return meanNs is > 0
            ? (NewsCorpus.Utf8Bytes / meanNs.Value * 1e9 / 1e6).ToString("0.0", CultureInfo.InvariantCulture)
            : "-";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
