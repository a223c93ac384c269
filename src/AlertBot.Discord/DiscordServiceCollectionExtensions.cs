using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Configuration;
using AlertBot.Core.Diagnostics;
using AlertBot.Core.Persistence;
using AlertBot.Discord.Alerts;
using AlertBot.Discord.Configuration;
using AlertBot.Discord.Gateway;
using AlertBot.Discord.Interactions;
using AlertBot.Discord.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord;

public static class DiscordServiceCollectionExtensions
{
    internal const string UserAgent = "DiscordBot (https://github.com/alertbot/alertbot, 1.0)";

    /// <summary>
    /// Discord options, Discord.Net's REST client and the global pace; when a token or a webhook is configured, the alert
    /// sink and the chat adapter (which brings the webhook channels to the host); the gateway (slash commands) only when
    /// a bot token is set.
    /// </summary>
    public static IServiceCollection AddAlertBotDiscord(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(DiscordOptions.SectionName);
        services.AddValidatedOptions<DiscordOptions, DiscordOptionsValidator>(section);
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient(InteractionDispatcher.FilesHttpClientName, (sp, http) =>
            {
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<DiscordOptions>>().Value.RequestTimeoutSeconds);
                http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            })
            // Attachment URLs carry signed query strings.
            .RemoveAllLoggers();

        services.TryAddSingleton<DiscordConnection>();
        services.TryAddSingleton<DiscordRequests>();
        services.TryAddSingleton<DiscordWebhooks>();

        var configured = section.Get<DiscordOptions>() ?? new DiscordOptions();
        if (configured.IsEnabled)
        {
            services.AddSingleton<IAlertSink, DiscordAlertSink>();
            services.AddChatAdapter<DiscordChatAdapter>();
        }

        if (configured.HasBotToken)
        {
            services.TryAddSingleton<InteractionDispatcher>();
            LeaseOptions.AddTo(services, configuration);
            services.TryAddSingleton<DiscordGatewayStatus>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadinessProbe, DiscordReadinessProbe>());
            services.AddHostedService<DiscordGatewayService>();
        }

        return services;
    }
}
