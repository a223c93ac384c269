using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Configuration;
using AlertBot.Core.Diagnostics;
using AlertBot.Core.Persistence;
using AlertBot.Telegram.Receiving;
using AlertBot.Telegram.Sending;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertBot.Telegram;

public static class TelegramServiceCollectionExtensions
{
    /// <summary>
    /// The Telegram adapter: alert sink, update receiver (polling) or webhook handler, rate limiter. Registers nothing
    /// when no token is configured (<c>AlertBot:Telegram:Token</c>), so the rest of AlertBot runs without Telegram.
    /// Needs the store's ports (<c>AddAlertBotStorage</c>) and an <c>ICommandProcessor</c>.
    /// </summary>
    public static IServiceCollection AddAlertBotTelegram(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(TelegramOptions.Section);
        if (string.IsNullOrWhiteSpace(section[nameof(TelegramOptions.Token)]))
        {
            return services;
        }

        services.AddValidatedOptions<TelegramOptions, TelegramOptionsValidator>(section)
            .PostConfigure(o => o.Token = o.Token?.Trim());

        // No request logging on this client: every Bot API URL carries the token.
        services.AddHttpClient(TelegramClientFactory.HttpClientName, (sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<TelegramOptions>>().Value;
                http.Timeout = options.PollTimeout + options.RequestTimeout + TimeSpan.FromSeconds(5);
            })
            .AddHttpMessageHandler(() => new BotApiAnswerRecorder())
            .RemoveAllLoggers();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TelegramClientFactory>();
        services.TryAddSingleton<TelegramRateLimiter>();
        services.TryAddSingleton<TelegramSender>();
        services.TryAddSingleton<TelegramUpdateHandler>();
        services.TryAddSingleton<UpdateDispatcher>();
        services.TryAddSingleton<TelegramWebhookHandler>();
        services.TryAddSingleton<TelegramAlertSink>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSink, TelegramAlertSink>(sp => sp.GetRequiredService<TelegramAlertSink>()));
        LeaseOptions.AddTo(services, configuration);
        services.TryAddSingleton<TelegramReceiverStatus>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadinessProbe, TelegramReadinessProbe>());
        services.AddHostedService<TelegramUpdateReceiver>();
        services.AddChatAdapter<TelegramChatAdapter>();
        return services;
    }
}
