using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using AlertBot.Core.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.Worker.Cli;

/// <summary>
/// The operator's view of alerts that were parked (set aside after failing repeatedly, see DeliveryService):
/// <c>outbox parked</c> lists them, <c>outbox requeue &lt;id&gt;</c> or <c>--all</c> puts them back in their channel's
/// queue, where a running worker (or the next <c>run --once</c>) sends them before the channel's later alerts.
/// </summary>
internal sealed class OutboxCommands(CliApp app)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public void AddTo(RootCommand root)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var parked = new Command("parked", "List alerts set aside after failing repeatedly, with the last error.") { json };
        parked.SetVerb((parse, ct) => ListAsync(parse.GetValue(json), ct));

        var id = new Argument<long?>("id") { Description = "The parked alert's id, as 'outbox parked' shows it.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Re-queue every parked alert." };
        var requeue = new Command("requeue", "Put a parked alert (or --all) back in its channel's queue, ahead of the channel's later alerts.") { id, all };
        requeue.Validators.Add(result =>
        {
            if ((result.GetValue(id) is not null) == result.GetValue(all))
            {
                result.AddError("Give exactly one of an id or --all.");
            }
        });
        requeue.SetVerb((parse, ct) => RequeueAsync(parse.GetValue(id), ct));

        root.Subcommands.Add(new Command("outbox", "Alerts waiting to be delivered.") { parked, requeue });
    }

    private async Task<ExitCode> ListAsync(bool json, CancellationToken cancellationToken)
    {
        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var parked = await host.Services.GetRequiredService<IOutboxStore>().ListParkedAsync(cancellationToken);
        if (json)
        {
            await app.Output.WriteLineAsync(JsonSerializer.Serialize(parked.Select(p => new
            {
                p.Id,
                Channel = p.Channel.ToString(),
                p.Title,
                p.Link,
                p.Attempts,
                p.LastError,
                p.CreatedAt,
                p.ParkedAt,
            }), Json));
            return ExitCode.Ok;
        }

        if (parked.Count == 0)
        {
            await app.Output.WriteLineAsync("No parked alerts.");
            return ExitCode.Ok;
        }

        foreach (var alert in parked)
        {
            await app.Output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{alert.Id}\t{alert.Channel}\tparked {alert.ParkedAt:yyyy-MM-dd HH:mm:ss}Z after {alert.Attempts} attempts\t{alert.Title}"));
            await app.Output.WriteLineAsync($"\t{alert.Link ?? "(no link)"}\tlast error: {alert.LastError ?? "(none)"}");
        }

        await app.Output.WriteLineAsync($"{parked.Count} parked. Re-queue with: alertbot outbox requeue <id> (or --all)");
        return ExitCode.Ok;
    }

    private async Task<ExitCode> RequeueAsync(long? id, CancellationToken cancellationToken)
    {
        await using var host = await app.StartStoreHostAsync(cancellationToken);
        var requeued = await host.Services.GetRequiredService<IOutboxStore>().RequeueParkedAsync(id, host.Services.GetRequiredService<TimeProvider>().GetUtcNow(), cancellationToken);
        if (id is { } one && requeued == 0)
        {
            await app.Output.WriteLineAsync($"No parked alert {one}: see 'alertbot outbox parked'.");
            return ExitCode.Failed;
        }

        await app.Output.WriteLineAsync($"{requeued} alert(s) re-queued; a running worker sends them on its next delivery pass.");
        return ExitCode.Ok;
    }
}
