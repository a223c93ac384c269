using System.Collections.Concurrent;
using AlertBot.Core.Commands;
using AlertBot.Discord.Alerts;
using AlertBot.Discord.Configuration;
using AlertBot.Discord.Gateway;
using AlertBot.Discord.Rest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord.Interactions;

/// <summary>
/// The consumer side of the gateway queue: registers slash commands after READY and answers interactions. Every
/// interaction is deferred at once (ephemeral, type 5) so the 3-second deadline never depends on the store, then the
/// command runs and the reply replaces the deferral (PATCH @original). Interactions run side by side, a few at a time.
/// </summary>
internal sealed partial class InteractionDispatcher : IDisposable
{
    private const int MaxConcurrentInteractions = 8;
    private const int Ephemeral = 64;
    private const int DeferredChannelMessage = 5;

    /// <summary>Downloads of command attachments: no API base address, no bot token.</summary>
    public const string FilesHttpClientName = "AlertBot.Discord.Files";

    private readonly GatewayEventQueue _events;
    private readonly DiscordRestClient _rest;
    private readonly IServiceScopeFactory _scopes;
    private readonly DiscordOptions _options;
    private readonly ILogger<InteractionDispatcher> _logger;
    private readonly IHttpClientFactory _httpFactory;
    private readonly SemaphoreSlim _slots = new(MaxConcurrentInteractions, MaxConcurrentInteractions);
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private string? _registeredFor;

    public InteractionDispatcher(
        GatewayEventQueue events,
        DiscordRestClient rest,
        IServiceScopeFactory scopes,
        IOptions<DiscordOptions> options,
        IHttpClientFactory httpFactory,
        ILogger<InteractionDispatcher> logger)
    {
        _httpFactory = httpFactory;
        _events = events;
        _rest = rest;
        _scopes = scopes;
        _options = options.Value;
        _logger = logger;
    }

    public void Dispose() => _slots.Dispose();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in _events.Reader.ReadAllAsync(cancellationToken))
            {
                switch (item)
                {
                    case GatewayReady ready:
                        await RegisterCommandsAsync(_options.ApplicationId ?? ready.ApplicationId, cancellationToken);
                        break;
                    case InteractionReceived received:
                        await _slots.WaitAsync(cancellationToken);
                        var task = HandleAsync(received, cancellationToken);
                        _running.TryAdd(task, 0);
                        _ = task.ContinueWith(
                            t =>
                            {
                                _running.TryRemove(t, out _);
                                _slots.Release();
                            },
                            CancellationToken.None,
                            TaskContinuationOptions.ExecuteSynchronously,
                            TaskScheduler.Default);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            await Task.WhenAll(_running.Keys);
        }
    }

    private async Task RegisterCommandsAsync(string? applicationId, CancellationToken cancellationToken)
    {
        if (applicationId is null || applicationId == _registeredFor)
        {
            return;
        }

        var route = DiscordRoute.BulkOverwriteCommands(applicationId, _options.DevelopmentGuildId);
        var response = await _rest.SendAsync(route, SlashCommands.All, cancellationToken);
        if (response.IsSuccess)
        {
            _registeredFor = applicationId;
            LogCommandsRegistered(SlashCommands.All.Count, _options.DevelopmentGuildId is null ? "globally" : $"on guild {_options.DevelopmentGuildId}");
        }
        else
        {
            LogCommandsNotRegistered(response.Reason);
        }
    }

    private async Task HandleAsync(InteractionReceived received, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            if (!InteractionTranslator.TryReadRef(received.Interaction, out var reference))
            {
                LogMalformedInteraction();
                return;
            }

            if (reference.Type != InteractionTranslator.ApplicationCommand)
            {
                return;
            }

            var deferred = await _rest.SendAsync(
                DiscordRoute.InteractionCallback(reference.Id, reference.Token),
                new { type = DeferredChannelMessage, data = new { flags = Ephemeral } },
                cancellationToken);
            if (!deferred.IsSuccess)
            {
                // Unknown interaction (10062) usually means we were later than 3 s; nothing can be sent any more.
                LogDeferFailed(reference.Id, deferred.Reason);
                return;
            }

            var reply = await ExecuteAsync(received, cancellationToken);
            if (reply.Silent)
            {
                // A flood already told to slow down: no edit, so the flood costs no REST calls. The deferred reply
                // is ephemeral, so only the sender ever sees it waiting.
                return;
            }

            var edited = await _rest.SendAsync(
                DiscordRoute.EditOriginalResponse(reference.ApplicationId, reference.Token),
                new { content = DiscordText.Shorten(Content(reply), DiscordText.ContentMax), allowed_mentions = new { parse = Array.Empty<string>() } },
                cancellationToken);
            if (!edited.IsSuccess)
            {
                LogReplyFailed(reference.Id, edited.Reason);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            LogInteractionFailed(ex);
        }
    }

    private async Task<CommandReply> ExecuteAsync(InteractionReceived received, CancellationToken cancellationToken)
    {
        if (!InteractionTranslator.TryTranslate(received.Interaction, out var command, out var error))
        {
            return new CommandReply(error, IsError: true);
        }

        await using var scope = _scopes.CreateAsyncScope();
        var processor = scope.ServiceProvider.GetService<ICommandProcessor>();
        if (processor is null)
        {
            return new CommandReply("Commands are not available on this AlertBot instance.", IsError: true);
        }

        try
        {
            var context = command.File is { } file
                ? command.Context with { Attachment = await DownloadAsync(file, cancellationToken) }
                : command.Context;
            return await processor.ExecuteAsync(command.Text, context, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCommandFailed(command.Text.Split(' ')[0], ex);
            return new CommandReply("Something went wrong running that command; it has been logged.", IsError: true);
        }
    }

    /// <summary>
    /// The reply text, with a returned file (an OPML export) shown in a code block when the message has room: a file
    /// upload would need a multipart follow-up, which this adapter does not send.
    /// </summary>
    internal static string Content(CommandReply reply)
    {
        if (reply.Attachment is not { Text: { } file })
        {
            return reply.Text;
        }

        var block = $"{reply.Text}\n```xml\n{file.Replace("```", "` ` `", StringComparison.Ordinal)}\n```";
        return block.Length <= DiscordText.ContentMax
            ? block
            : $"{reply.Text}\nThe file is {file.Length} characters, too long for a Discord message; the command-line export writes it whole.";
    }

    /// <summary>
    /// The attachment from Discord's CDN (or the configured API host, which a test points at its fake), capped like
    /// every command file. Any other host is refused: the URL comes from the interaction payload.
    /// </summary>
    private async Task<CommandAttachment?> DownloadAsync(AttachmentRef file, CancellationToken ct)
    {
        var apiHost = new Uri(_options.ApiBaseUrl).Host;
        if (!Uri.TryCreate(file.Url, UriKind.Absolute, out var url) ||
            !(url.Host.Equals(apiHost, StringComparison.OrdinalIgnoreCase) ||
              (url.Scheme == Uri.UriSchemeHttps && url.Host is "cdn.discordapp.com" or "media.discordapp.net")))
        {
            LogAttachmentRefused(url?.Host ?? "?");
            return null;
        }

        try
        {
            return await AttachmentDownload.ReadAsync(file.FileName, file.Size, async (stream, token) =>
            {
                using var response = await _httpFactory.CreateClient(FilesHttpClientName)
                    .GetAsync(url, HttpCompletionOption.ResponseHeadersRead, token);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(token);
                await body.CopyToAsync(stream, token);
            }, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogAttachmentFailed(ex);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to download a command attachment from {Host}: not Discord's CDN")]
    private partial void LogAttachmentRefused(string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not download a command attachment")]
    private partial void LogAttachmentFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Count} Discord slash commands {Scope}")]
    private partial void LogCommandsRegistered(int count, string scope);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not register Discord slash commands: {Reason}")]
    private partial void LogCommandsNotRegistered(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord interaction without id, token or application id; ignored")]
    private partial void LogMalformedInteraction();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not acknowledge Discord interaction {InteractionId}: {Reason}")]
    private partial void LogDeferFailed(string interactionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send the reply to Discord interaction {InteractionId}: {Reason}")]
    private partial void LogReplyFailed(string interactionId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord interaction handling failed")]
    private partial void LogInteractionFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command {Command} failed")]
    private partial void LogCommandFailed(string command, Exception exception);
}
