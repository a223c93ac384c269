using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlertBot.LoadHarness;

// The load harness: a loopback feed farm and the real worker (Release, its own process) polling it. See bench/README.md.
var options = HarnessOptions.Parse(args);
if (options is null)
{
    await Console.Error.WriteLineAsync(HarnessOptions.Usage);
    return 2;
}

return await new LoadRun(options).RunAsync();

namespace AlertBot.LoadHarness
{
    internal sealed record HarnessOptions(int Feeds, TimeSpan Interval, int Cycles, double ChangeShare, int Burners, string Worker)
    {
        public const string Usage =
            "usage: AlertBot.LoadHarness <feeds> <interval-seconds> [--cycles 4] [--change 0.1] [--burn <threads>] [--worker <alertbot.dll>]";

        public static HarnessOptions? Parse(string[] args)
        {
            if (args.Length < 2 ||
                !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var feeds) || feeds is < 1 or > 100_000 ||
                !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 5 or > 3600)
            {
                return null;
            }

            int cycles = 4, burners = 0;
            var change = 0.1;
            var worker = Path.GetFullPath("src/AlertBot.Worker/bin/Release/net10.0/alertbot.dll");
            for (var i = 2; i + 1 < args.Length; i += 2)
            {
                var value = args[i + 1];
                switch (args[i])
                {
                    case "--cycles" when int.TryParse(value, CultureInfo.InvariantCulture, out var c) && c is >= 3 and <= 20:
                        cycles = c;
                        break;
                    case "--change" when double.TryParse(value, CultureInfo.InvariantCulture, out var s) && s is >= 0 and <= 1:
                        change = s;
                        break;
                    case "--burn" when int.TryParse(value, CultureInfo.InvariantCulture, out var b) && b is >= 0 and <= 64:
                        burners = b;
                        break;
                    case "--worker":
                        worker = Path.GetFullPath(value);
                        break;
                    default:
                        return null;
                }
            }

            return new HarnessOptions(feeds, TimeSpan.FromSeconds(seconds), cycles, change, burners, worker);
        }
    }

    /// <summary>One run: farm up, worker started, <see cref="HarnessOptions.Cycles"/> intervals measured, all stopped.</summary>
    internal sealed class LoadRun(HarnessOptions options)
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "alertbot-load-" + Guid.NewGuid().ToString("N")[..8]);
        private long _logBytes;
        private long _logLines;
        private long _alerts;
        private readonly List<string> _warnings = [];

        public async Task<int> RunAsync()
        {
            if (!File.Exists(options.Worker))
            {
                await Console.Error.WriteLineAsync($"load: {options.Worker} not found. Build it first: dotnet build src/AlertBot.Worker -c Release");
                return 2;
            }

            Directory.CreateDirectory(_directory);
            await using var farm = await FeedFarm.StartAsync(options.Feeds, options.ChangeShare);
            var port = FreePort();
            var config = WriteConfig(port);
            using var stop = new CancellationTokenSource();
            var burners = Enumerable.Range(0, options.Burners).Select(_ => Task.Factory.StartNew(
                () => Burn(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();

            // The database first: schema and console channel by a run of the worker with no feeds, then the feeds.
            using (var prepare = StartWorker(config, "--once"))
            {
                await prepare.StandardOutput.ReadToEndAsync();
                await prepare.WaitForExitAsync();
            }

            AddFeeds(farm);

            var started = Environment.TickCount64;
            using var worker = StartWorker(config);
            var sampler = new ProcessSampler(worker.Id);
            var sampling = sampler.RunAsync(stop.Token);
            var output = Task.WhenAll(ReadAlertsAsync(worker.StandardOutput), ReadLogAsync(worker.StandardError));
            Console.Error.WriteLine($"load: {options.Feeds} feeds every {options.Interval.TotalSeconds:0} s, {options.Cycles} cycles, worker pid {worker.Id}, data in {_directory}");

            var first = await FirstRequestAsync(farm, worker);
            if (first is null)
            {
                await StopAsync(worker);
                await stop.CancelAsync();
                await Console.Error.WriteLineAsync("load: the worker exited or polled nothing within 15 minutes; its log is above.");
                return 1;
            }

            var t0 = first.Value;
            var dbBefore = DatabaseBytes();
            var end = t0 + (long)(options.Interval.TotalMilliseconds * options.Cycles);
            while (Environment.TickCount64 < end && !worker.HasExited)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, Math.Max(1, (end - Environment.TickCount64) / 1000.0))));
                var done = farm.Requests.Count;
                Console.Error.WriteLine($"load: {(Environment.TickCount64 - t0) / 1000} s, {done} polls, {sampler.Read()?.CpuSeconds:0.0} CPU-s");
            }

            var metrics = await ScrapeAsync(port);
            var dbAfter = DatabaseBytes();
            await stop.CancelAsync();
            await StopAsync(worker);
            await sampling;
            await Task.WhenAll(burners);
            await output;

            var report = new Report(options, farm.Requests.ToArray(), sampler.Samples, started, t0, end, dbBefore, dbAfter, metrics,
                Interlocked.Read(ref _logBytes), Interlocked.Read(ref _logLines), Interlocked.Read(ref _alerts));
            report.Print(Console.Out);
            foreach (var warning in _warnings.Take(5))
            {
                Console.Out.WriteLine("  worker warning: " + warning);
            }

            Directory.Delete(_directory, recursive: true);
            return 0;
        }

        private static void Burn(CancellationToken token)
        {
            var x = 0UL;
            while (!token.IsCancellationRequested)
            {
                for (var i = 0; i < 1_000_000; i++)
                {
                    x = x * 6364136223846793005UL + 1442695040888963407UL;
                }
            }

            GC.KeepAlive(x);
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        /// <summary>The farm's feeds, read by the console channel, in one transaction (as `feed import` would add them).</summary>
        private void AddFeeds(FeedFarm farm)
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "alertbot.db")}");
            connection.Open();
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO feeds (url, name, interval_ms, created_at) VALUES ($url, $name, $interval, $now);
                INSERT INTO channel_feeds (channel_id, feed_id)
                SELECT id, last_insert_rowid() FROM channels WHERE platform = 'console' AND external_id = 'default';
                """;
            var url = insert.Parameters.Add("$url", Microsoft.Data.Sqlite.SqliteType.Text);
            var name = insert.Parameters.Add("$name", Microsoft.Data.Sqlite.SqliteType.Text);
            insert.Parameters.AddWithValue("$interval", (long)options.Interval.TotalMilliseconds);
            insert.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            for (var i = 0; i < options.Feeds; i++)
            {
                url.Value = farm.Url(i);
                name.Value = $"Load feed {i}";
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        private string WriteConfig(int port)
        {
            var repository = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(options.Worker)!, "config"));
            var config = new JsonObject
            {
                ["Logging"] = new JsonObject
                {
                    ["LogLevel"] = new JsonObject
                    {
                        ["Default"] = "Information", ["Microsoft"] = "Warning", ["Quartz"] = "Warning", ["System.Net.Http.HttpClient"] = "Warning",
                    },
                },
                ["AlertBot"] = new JsonObject
                {
                    ["Storage"] = new JsonObject { ["ConnectionString"] = $"Data Source={Path.Combine(_directory, "alertbot.db")}" },
                    ["Polling"] = new JsonObject
                    {
                        ["DefaultInterval"] = options.Interval.ToString("c", CultureInfo.InvariantCulture),
                        ["Feeds"] = new JsonArray(),
                    },
                    ["Fetch"] = new JsonObject { ["AllowedNetworks"] = new JsonArray("127.0.0.1/32") },
                    ["Health"] = new JsonObject { ["Urls"] = $"http://127.0.0.1:{port}" },
                    ["Console"] = new JsonObject { ["Enabled"] = true, ["Watchlist"] = "default" },
                    ["Matching"] = new JsonObject
                    {
                        ["ActorsFile"] = Path.Combine(repository, "actors.json"),
                        ["WatchlistsFile"] = Path.Combine(repository, "watchlists.json"),
                    },
                },
            };
            var file = Path.Combine(_directory, "appsettings.json");
            File.WriteAllText(file, config.ToJsonString());
            return file;
        }

        private Process StartWorker(string config, params string[] extra)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.GetTempPath(),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(options.Worker);
            start.ArgumentList.Add("run");
            foreach (var argument in extra)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["ALERTBOT_CONFIG"] = config;
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            return Process.Start(start) ?? throw new InvalidOperationException("could not start the worker");
        }

        private async Task ReadAlertsAsync(StreamReader output)
        {
            while (await output.ReadLineAsync() is { } line)
            {
                if (line.Contains("=== ALERT", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _alerts);
                }
            }
        }

        private async Task ReadLogAsync(StreamReader log)
        {
            while (await log.ReadLineAsync() is { } line)
            {
                Interlocked.Add(ref _logBytes, line.Length + 1);
                Interlocked.Increment(ref _logLines);
                if (line.Contains(" warn: ", StringComparison.Ordinal) || line.Contains(" fail: ", StringComparison.Ordinal) ||
                    line.Contains(" crit: ", StringComparison.Ordinal))
                {
                    lock (_warnings)
                    {
                        if (_warnings.Count < 20)
                        {
                            _warnings.Add(line.Length > 400 ? line[..400] + "…" : line);
                        }
                    }
                }
            }
        }

        private static async Task<long?> FirstRequestAsync(FeedFarm farm, Process worker)
        {
            var deadline = Environment.TickCount64 + 900_000; // 20,000 feeds listed in the configuration take minutes to upsert at start
            while (Environment.TickCount64 < deadline && !worker.HasExited)
            {
                if (farm.Requests.TryPeek(out var first))
                {
                    return first.Timestamp;
                }

                await Task.Delay(20);
            }

            return null;
        }

        private static readonly string[] DatabaseFiles = ["alertbot.db", "alertbot.db-wal"];

        private long DatabaseBytes() =>
            DatabaseFiles.Select(f => new FileInfo(Path.Combine(_directory, f))).Where(f => f.Exists).Sum(f => f.Length);

        private static async Task<Dictionary<string, double>> ScrapeAsync(int port)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
                values["metrics_bytes"] = text.Length;
                foreach (Match m in Regex.Matches(text, @"^(alertbot_[a-z_]+(?:\{[^}]*\})?) ([0-9.eE+-]+)", RegexOptions.Multiline))
                {
                    values[m.Groups[1].Value] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                }
            }
            catch (HttpRequestException)
            {
            }

            return values;
        }

        private static async Task StopAsync(Process worker)
        {
            if (worker.HasExited)
            {
                return;
            }

            using (var kill = Process.Start("kill", ["-TERM", worker.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await worker.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                worker.Kill(entireProcessTree: true);
            }
        }
    }
}
