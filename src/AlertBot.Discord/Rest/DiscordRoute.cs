namespace AlertBot.Discord.Rest;

/// <summary>
/// One REST call: the concrete path, plus the route template and major parameter that Discord's rate-limit buckets
/// are keyed by. <see cref="Template"/> is safe to log; <see cref="Path"/> and <see cref="MajorParameter"/> may hold
/// webhook or interaction tokens and are never logged.
/// </summary>
internal readonly record struct DiscordRoute(
    HttpMethod Method,
    string Template,
    string MajorParameter,
    string Path,
    bool UsesBotToken,
    bool CountsTowardsGlobalLimit)
{
    /// <summary>The key a bucket has before Discord has told us its hash.</summary>
    public string TemplateKey => $"{Method.Method} {Template}";

    public override string ToString() => TemplateKey;

    public static DiscordRoute GetGatewayBot() =>
        new(HttpMethod.Get, "gateway/bot", "", "gateway/bot", UsesBotToken: true, CountsTowardsGlobalLimit: true);

    public static DiscordRoute CreateMessage(string channelId) =>
        new(HttpMethod.Post, "channels/{channel_id}/messages", channelId, $"channels/{channelId}/messages", true, true);

    // Edits share the channel's bucket family with creates but Discord keys them by their own route.
    public static DiscordRoute EditMessage(string channelId, string messageId) =>
        new(HttpMethod.Patch, "channels/{channel_id}/messages/{message_id}", channelId, $"channels/{channelId}/messages/{messageId}", true, true);

    public static DiscordRoute EditWebhookMessage(string webhookId, string token, string messageId) =>
        new(HttpMethod.Patch, "webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", $"{webhookId}/{token}",
            $"webhooks/{webhookId}/{Uri.EscapeDataString(token)}/messages/{messageId}", UsesBotToken: false, CountsTowardsGlobalLimit: true);

    public static DiscordRoute ExecuteWebhook(string webhookId, string token) =>
        new(HttpMethod.Post, "webhooks/{webhook_id}/{webhook_token}", $"{webhookId}/{token}",
            $"webhooks/{webhookId}/{Uri.EscapeDataString(token)}?wait=true", UsesBotToken: false, CountsTowardsGlobalLimit: true);

    // Interaction endpoints are authenticated by the interaction token and are not bound by the global limit.
    public static DiscordRoute InteractionCallback(string interactionId, string token) =>
        new(HttpMethod.Post, "interactions/{interaction_id}/{interaction_token}/callback", interactionId,
            $"interactions/{interactionId}/{Uri.EscapeDataString(token)}/callback", UsesBotToken: false, CountsTowardsGlobalLimit: false);

    public static DiscordRoute EditOriginalResponse(string applicationId, string token) =>
        new(HttpMethod.Patch, "webhooks/{application_id}/{interaction_token}/messages/@original", $"{applicationId}/{token}",
            $"webhooks/{applicationId}/{Uri.EscapeDataString(token)}/messages/@original", UsesBotToken: false, CountsTowardsGlobalLimit: false);

    public static DiscordRoute BulkOverwriteCommands(string applicationId, string? guildId) =>
        guildId is null
            ? new(HttpMethod.Put, "applications/{application_id}/commands", applicationId,
                $"applications/{applicationId}/commands", true, true)
            : new(HttpMethod.Put, "applications/{application_id}/guilds/{guild_id}/commands", guildId,
                $"applications/{applicationId}/guilds/{guildId}/commands", true, true);
}
