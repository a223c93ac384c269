using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlertBot.Testing.Telegram;
using AlertBot.Worker.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AlertBot.IntegrationTests;

/// <summary>Telegram webhook mode: the worker's own endpoint takes updates, and only with the secret token.</summary>
public sealed class TelegramWebhookTests
{
    [Fact]
    public async Task The_webhook_path_accepts_updates_with_the_secret_and_refuses_them_without()
    {
        await using var telegram = await FakeTelegramServer.StartAsync();
        var directory = Path.Combine(Path.GetTempPath(), "alertbot-tgwh-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var config = new Dictionary<string, string?>
        {
            ["AlertBot:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "alertbot.db")}",
            ["AlertBot:Health:Urls"] = "http://127.0.0.1:0",
            ["AlertBot:Telegram:Token"] = telegram.Token,
            ["AlertBot:Telegram:ApiBaseUrl"] = telegram.BaseUrl,
            ["AlertBot:Telegram:Mode"] = "Webhook",
            ["AlertBot:Telegram:WebhookUrl"] = "https://alerts.example.org/hooks/telegram",
            ["AlertBot:Telegram:WebhookSecret"] = "s3cret-Token_value",
        };

        await using (var host = AlertBotHost.CreateBuilder(HostMode.Service, TextWriter.Null, config).Build())
        {
            await host.StartAsync();
            try
            {
                await telegram.WaitForCallAsync(c => c.Method == "setWebhook", TimeSpan.FromSeconds(20));
                var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
                using var http = new HttpClient { BaseAddress = new Uri(address) };
                var update = new JsonObject { ["update_id"] = 1001, ["message"] = telegram.MessageJson(555, 555, "/help", chatType: "private", title: null) };

                using var forged = new StringContent(update.ToJsonString(), Encoding.UTF8, "application/json");
                Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/hooks/telegram", forged)).StatusCode);

                using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/telegram")
                {
                    Content = new StringContent(update.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", "s3cret-Token_value");
                Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);

                var reply = await telegram.WaitForMessageAsync(m => m.ChatId == 555, TimeSpan.FromSeconds(20));
                Assert.Contains("/subscribe", reply.PlainText, StringComparison.Ordinal);
                Assert.Single(telegram.SentTo(555)); // the forged update was not handled
            }
            finally
            {
                await host.StopAsync();
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
