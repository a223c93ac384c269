using AlertBot.Discord.Interactions;
using Microsoft.Extensions.Hosting;

namespace AlertBot.Discord.Gateway;

/// <summary>Runs the gateway connection and, beside it, the consumer that answers slash commands.</summary>
internal sealed class DiscordGatewayService : BackgroundService
{
    private readonly DiscordGatewayClient _gateway;
    private readonly InteractionDispatcher _dispatcher;

    public DiscordGatewayService(DiscordGatewayClient gateway, InteractionDispatcher dispatcher)
    {
        _gateway = gateway;
        _dispatcher = dispatcher;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            Task.Run(() => _gateway.RunAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => _dispatcher.RunAsync(stoppingToken), CancellationToken.None));
}
