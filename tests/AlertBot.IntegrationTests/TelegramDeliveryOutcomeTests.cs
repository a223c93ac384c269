using System.Globalization;
using AlertBot.Core.Channels;
using AlertBot.Core.Diagnostics;
using AlertBot.Testing.Telegram;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AlertBot.IntegrationTests;

/// <summary>
/// The worker with the real Telegram.Bot client against the fake Bot API: a send Telegram accepted is delivered once
/// even when its answer cannot be read, and an alert Telegram refuses every time is parked so the chat's later alerts
/// flow, the chat is told once, and the operator's CLI puts it back.
/// </summary>
public sealed class TelegramDeliveryOutcomeTests : IAsyncLifetime
{
    private const string Chat = "7001";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private FakeTelegramServer _telegram = null!;
    private ServiceHarness _harness = null!;

    public async Task InitializeAsync()
    {
        // A private chat at 100 ms per message keeps the test short; the fake enforces what the client is told.
        _telegram = await FakeTelegramServer.StartAsync(
            limits: new FakeTelegramLimits(TimeSpan.FromMilliseconds(100), 20, TimeSpan.FromMinutes(1), 30, TimeSpan.FromSeconds(1)));
        var settings = TelegramEndToEndTests.TelegramSettings(_telegram);
        settings["AlertBot:Telegram:PerChatInterval"] = "00:00:00.100";
        settings["AlertBot:Delivery:RetryBaseDelay"] = "00:00:00.050";
        settings["AlertBot:Delivery:RetryMaxDelay"] = "00:00:00.200";
        settings["AlertBot:Delivery:MaxAttempts"] = "3";
        _harness = await ServiceHarness.CreateAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    private IReadOnlyList<string> Titles() => ServiceHarness.TelegramTitles(_telegram, Chat);

    [Fact]
    public async Task An_ok_answer_whose_result_cannot_be_read_is_delivered_once_and_the_chats_next_alerts_follow()
    {
        _telegram.AnswerUnreadably("sendMessage", times: 1);
        var expected = await _harness.EnqueueAlertsAsync(Platforms.Telegram, [Chat], perChannel: 3);

        MetricCollector<long>? unknown = null;
        await _harness.StartAsync(host => unknown = Collect(host, "alertbot.alerts.unknown_outcome"));
        using var _ = unknown;
        await _harness.WaitForDeliveryAsync(expected, _ => Titles(), Deadline);

        // Sent once each, in order: a retry of the first would have come before the second.
        Assert.Equal(expected[Chat], Titles());
        Assert.Equal(3, _telegram.CallCount("sendMessage"));
        Assert.Equal(0, unknown!.GetMeasurementSnapshot().EvaluateAsCounter()); // series start at zero; none was added to
        Assert.Equal(
            [("delivered", (string?)null), ("delivered", "2"), ("delivered", "3")],
            await QueryAsync<(string, string?)>("SELECT status, platform_message_id FROM outbox ORDER BY id"));
    }

    [Fact]
    public async Task An_alert_refused_every_time_is_parked_the_chat_gets_the_rest_in_order_and_one_notice_and_the_cli_requeues_it()
    {
        _telegram.FailNext("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0", times: 3);
        var expected = (await _harness.EnqueueAlertsAsync(Platforms.Telegram, [Chat], perChannel: 3))[Chat];

        MetricCollector<long>? collector = null;
        await _harness.StartAsync(host => collector = Collect(host, "alertbot.alerts.parked"));
        using var parked = collector!;
        await ServiceHarness.WaitUntilAsync(() => Titles().Count >= 3, Deadline, "the later alerts and the notice");
        await ServiceHarness.WaitUntilAsync(async () => await _harness.PendingAsync() == 0, Deadline, "an empty queue");

        var titles = Titles();
        Assert.Equal([expected[1], expected[2], "An alert could not be delivered: " + expected[0]], titles);
        var notice = _telegram.SentTo(long.Parse(Chat, CultureInfo.InvariantCulture))[2];
        Assert.Contains("https://news.example/alerts/1", notice.Html, StringComparison.Ordinal);
        Assert.Equal(1, parked.GetMeasurementSnapshot().EvaluateAsCounter());

        var cli = new CliRunner(_harness.Settings);
        var (listed, listing) = await cli.RunAsync("outbox", "parked");
        Assert.Equal(0, listed);
        Assert.Contains(expected[0], listing, StringComparison.Ordinal);
        Assert.Contains("can't parse entities", listing, StringComparison.Ordinal);
        var id = (await QueryAsync<long>("SELECT id FROM outbox WHERE parked_at IS NOT NULL")).Single();

        var (requeued, said) = await cli.RunAsync("outbox", "requeue", id.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(0, requeued);
        Assert.Contains("1 alert(s) re-queued", said, StringComparison.Ordinal);
        await ServiceHarness.WaitUntilAsync(() => Titles().Count >= 4, Deadline, "the re-queued alert");
        await ServiceHarness.WaitUntilAsync(async () => await _harness.PendingAsync() == 0, Deadline, "an empty queue");
        Assert.Equal([expected[1], expected[2], "An alert could not be delivered: " + expected[0], expected[0]], Titles());
        Assert.Equal(1, parked.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Contains("No parked alerts.", (await cli.RunAsync("outbox", "parked")).Output, StringComparison.Ordinal);
    }

    private static MetricCollector<long> Collect(Microsoft.AspNetCore.Builder.WebApplication host, string instrument) =>
        new(host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), AlertBotMetrics.MeterName, instrument);

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql)
    {
        await using var connection = new SqliteConnection(_harness.Settings["AlertBot:Storage:ConnectionString"]);
        return [.. await Dapper.SqlMapper.QueryAsync<T>(connection, sql)];
    }

    /// <summary>The CLI in-process on the harness's database, as an operator runs it beside the service.</summary>
    private sealed class CliRunner(IReadOnlyDictionary<string, string?> settings)
    {
        public async Task<(int Exit, string Output)> RunAsync(params string[] args)
        {
            var output = new StringWriter();
            var exit = await new Worker.Cli.CliApp(output, settings, output).RunAsync(args);
            return (exit, output.ToString());
        }
    }
}
