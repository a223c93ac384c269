using System.Globalization;
using AlertBot.Core.Actions;
using ScottPlot;

namespace AlertBot.Core.Trends;

/// <summary>The period a /trend covers and its bucket: hours for a day, days otherwise.</summary>
public sealed record TrendPeriod(string Name, TimeSpan Length, bool Hourly)
{
    public static IReadOnlyList<TrendPeriod> All { get; } =
    [
        new("24h", TimeSpan.FromHours(24), Hourly: true),
        new("7d", TimeSpan.FromDays(7), Hourly: false),
        new("30d", TimeSpan.FromDays(30), Hourly: false),
    ];

    public static TrendPeriod Default => All[1];

    public static TrendPeriod? Find(string name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first bucket's start: whole hours (24h) or whole UTC days, so the newest bucket is the current one.</summary>
    public DateTimeOffset Start(DateTimeOffset now)
    {
        var hour = AlertActionPlanner.HourOf(now);
        return Hourly ? hour - Length + TimeSpan.FromHours(1) : new DateTimeOffset(hour.Date, TimeSpan.Zero) - Length + TimeSpan.FromDays(1);
    }

    public TimeSpan Bucket => Hourly ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);

    public int Buckets => (int)(Length / Bucket);
}

/// <summary>One term's counts, one per bucket, oldest first.</summary>
public sealed record TrendSeries(string Term, IReadOnlyList<int> Counts);

/// <summary>The hourly term counts folded into a period's buckets, and drawn as a PNG line chart with ScottPlot.</summary>
public static class TrendChart
{
    public const int Width = 800;
    public const int Height = 400;

    public static IReadOnlyList<TrendSeries> Bucket(IReadOnlyList<TermHourCount> counts, IReadOnlyList<string> terms, TrendPeriod period, DateTimeOffset now)
    {
        var start = period.Start(now);
        var series = new List<TrendSeries>();
        foreach (var term in terms)
        {
            var buckets = new int[period.Buckets];
            foreach (var count in counts.Where(c => string.Equals(c.Term.Trim(), term.Trim(), StringComparison.OrdinalIgnoreCase)))
            {
                var index = (int)Math.Floor((count.Hour - start) / period.Bucket);
                if (index >= 0 && index < buckets.Length)
                {
                    buckets[index] += count.Count;
                }
            }

            series.Add(new TrendSeries(term, buckets));
        }

        return series;
    }

    /// <summary>A PNG of the series, one line per term, the x axis labelled with dates (or hours).</summary>
    public static byte[] Render(IReadOnlyList<TrendSeries> series, TrendPeriod period, DateTimeOffset now)
    {
        var start = period.Start(now);
        using var plot = new Plot();
        var xs = Enumerable.Range(0, period.Buckets).Select(i => (double)i).ToArray();
        foreach (var term in series)
        {
            var line = plot.Add.Scatter(xs, term.Counts.Select(c => (double)c).ToArray());
            line.LegendText = term.Term;
            line.LineWidth = 2;
            line.MarkerSize = period.Buckets <= 31 ? 5 : 0;
        }

        // One labelled tick per bucket (thinned to about eight), dates read worldwide: MM-dd, or HH:00 for a day.
        var every = Math.Max(1, (int)Math.Ceiling(period.Buckets / 8.0));
        var ticks = Enumerable.Range(0, period.Buckets).Where(i => (period.Buckets - 1 - i) % every == 0).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. ticks.Select(i => (double)i)],
            [.. ticks.Select(i => (start + (period.Bucket * i)).ToString(period.Hourly ? "HH:00" : "MM-dd", CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsX(-0.5, period.Buckets - 0.5);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.SetLimitsY(0, Math.Max(1, series.SelectMany(s => s.Counts).DefaultIfEmpty(0).Max()) * 1.1);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Matched items per {(period.Hourly ? "hour" : "day")}, last {period.Name} (UTC)"));
        plot.YLabel("items");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
