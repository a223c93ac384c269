using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using AlertBot.Core.Commands;
using AlertBot.Discord.Alerts;
using AlertBot.Discord.Client;
using AlertBot.Discord.Configuration;
using Discord;
using Discord.Net;
using Discord.WebSocket;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertBot.Discord.Interactions;

/// <summary>Work the gateway hands off so a shard's receive loop never waits on a handler.</summary>
internal abstract record GatewayWork;

/// <summary>A shard is ready: (re)register the slash commands once per session.</summary>
internal sealed record CommandsToRegister(DiscordShardedClient Client) : GatewayWork;

internal sealed record CommandReceived(SocketSlashCommand Command) : GatewayWork;

/// <summary>A button under an alert was pressed (a message component interaction).</summary>
internal sealed record ButtonPressed(SocketMessageComponent Component) : GatewayWork;

/// <summary>
/// The consumer side of the gateway: registers slash commands after READY and answers them. Every command is
/// deferred at once (ephemeral) so Discord's 3-second deadline never depends on the store, then Core runs the command
/// and the reply replaces the deferral in place; a returned file (an OPML export) follows as a real attachment.
/// Commands run side by side, a few at a time.
/// </summary>
internal sealed partial class InteractionDispatcher : IDisposable
{
    private const int MaxConcurrentInteractions = 8;

    /// <summary>Downloads of command attachments: no API base address, no bot token.</summary>
    public const string FilesHttpClientName = "AlertBot.Discord.Files";

    private readonly Channel<GatewayWork> _work = Channel.CreateBounded<GatewayWork>(new BoundedChannelOptions(1000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly IServiceScopeFactory _scopes;
    private readonly DiscordOptions _options;
    private readonly ILogger<InteractionDispatcher> _logger;
    private readonly IHttpClientFactory _httpFactory;
    private readonly SemaphoreSlim _slots = new(MaxConcurrentInteractions, MaxConcurrentInteractions);
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private DiscordShardedClient? _registeredOn;

    public InteractionDispatcher(
        IServiceScopeFactory scopes,
        IOptions<DiscordOptions> options,
        IHttpClientFactory httpFactory,
        ILogger<InteractionDispatcher> logger)
    {
        _httpFactory = httpFactory;
        _scopes = scopes;
        _options = options.Value;
        _logger = logger;
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>Queues work without waiting; a full queue drops it (waiting would stall the shard).</summary>
    public void Enqueue(GatewayWork work)
    {
        if (!_work.Writer.TryWrite(work))
        {
            LogQueueFull();
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in _work.Reader.ReadAllAsync(cancellationToken))
            {
                switch (item)
                {
                    case CommandsToRegister register:
                        await RegisterCommandsAsync(register.Client, cancellationToken);
                        break;
                    case CommandReceived or ButtonPressed:
                        await _slots.WaitAsync(cancellationToken);
                        var task = item is CommandReceived received
                            ? HandleAsync(received.Command, ct => ExecuteAsync(received.Command, ct), cancellationToken)
                            : HandleAsync(((ButtonPressed)item).Component, ct => ExecuteButtonAsync(((ButtonPressed)item).Component, ct), cancellationToken);
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

    private async Task RegisterCommandsAsync(DiscordShardedClient client, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(client, _registeredOn))
        {
            return;
        }

        var commands = SlashCommands.Build();
        var options = new RequestOptions { CancelToken = cancellationToken };
        try
        {
            if (_options.DevelopmentGuildId is { } guild)
            {
                await client.Rest.BulkOverwriteGuildCommands(commands, ulong.Parse(guild, System.Globalization.CultureInfo.InvariantCulture), options);
            }
            else
            {
                await client.Rest.BulkOverwriteGlobalCommands(commands, options);
            }

            _registeredOn = client;
            LogCommandsRegistered(commands.Length, _options.DevelopmentGuildId is null ? "globally" : $"on guild {_options.DevelopmentGuildId}");
        }
        catch (HttpException ex)
        {
            LogCommandsNotRegistered(DiscordRequests.Describe(ex));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCommandsNotRegistered(DiscordLog.Describe(ex));
        }
    }

    /// <summary>
    /// One interaction (slash command or button): deferred at once (ephemeral), run, and answered in place; a file or
    /// chart the reply carries follows as an attachment.
    /// </summary>
    private async Task HandleAsync(
        SocketInteraction command, Func<CancellationToken, Task<CommandReply>> execute, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var options = new RequestOptions { CancelToken = cancellationToken };
        try
        {
            try
            {
                await command.DeferAsync(ephemeral: true, options);
            }
            catch (HttpException ex) when (ex.DiscordCode == DiscordErrorCode.InteractionHasAlreadyBeenAcknowledged)
            {
                // Our own defer reached Discord but its answer was lost, and the retry was refused: the interaction
                // is deferred, so the reply still goes to @original.
                LogAlreadyDeferred(command.Id);
            }
            catch (HttpException ex)
            {
                // Unknown interaction (10062) usually means we were later than 3 s; nothing can be sent any more.
                LogDeferFailed(command.Id, DiscordRequests.Describe(ex));
                return;
            }

            var reply = await execute(cancellationToken);
            if (reply.Silent)
            {
                // A flood already told to slow down: no edit, so the flood costs no REST calls. The deferred reply
                // is ephemeral, so only the sender ever sees it waiting.
                return;
            }

            await command.ModifyOriginalResponseAsync(
                p =>
                {
                    p.Content = DiscordText.Shorten(reply.Text.Length > 0 ? reply.Text : "Done.", DiscordConfig.MaxMessageSize);
                    p.AllowedMentions = DiscordAlertSink.NoMentions;
                },
                options);
            if (reply.Image is { } image)
            {
                // The chart as an attachment shown in an embed, under the reply that holds the totals and top stories.
                using var png = new MemoryStream(image.Png, writable: false);
                var embed = new EmbedBuilder().WithImageUrl($"attachment://{image.FileName}").Build();
                await command.FollowupWithFileAsync(
                    new FileAttachment(png, image.FileName),
                    embed: embed,
                    allowedMentions: DiscordAlertSink.NoMentions,
                    ephemeral: true,
                    options: options);
            }

            if (reply.Attachment is { Text: { } file } attachment)
            {
                using var stream = new MemoryStream(Encoding.UTF8.GetBytes(file));
                await command.FollowupWithFileAsync(
                    new FileAttachment(stream, attachment.FileName),
                    allowedMentions: DiscordAlertSink.NoMentions,
                    ephemeral: true,
                    options: options);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (HttpException ex)
        {
            LogReplyFailed(command.Id, DiscordRequests.Describe(ex));
        }
        catch (Exception ex)
        {
            LogInteractionFailed(ex);
        }
    }

    /// <summary>A button under an alert: Core's <c>/button</c> command, with the same rights as a slash command.</summary>
    private async Task<CommandReply> ExecuteButtonAsync(SocketMessageComponent component, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var processor = scope.ServiceProvider.GetService<ICommandProcessor>();
        return processor is null || AlertBot.Core.Actions.AlertButtons.Parse(component.Data.CustomId) is null
            ? new CommandReply("This button no longer works. Nothing was changed.", IsError: true)
            : await processor.ExecuteAsync(new ButtonArgs(component.Data.CustomId), Context(component), cancellationToken);
    }

    private async Task<CommandReply> ExecuteAsync(SocketSlashCommand command, CancellationToken cancellationToken)
    {
        var input = Input(command.Data);
        var binding = SlashArguments.Bind(input);
        if (binding.Args is not { } args)
        {
            return binding.Problem!;
        }

        await using var scope = _scopes.CreateAsyncScope();
        var processor = scope.ServiceProvider.GetService<ICommandProcessor>();
        if (processor is null)
        {
            return new CommandReply("Commands are not available on this AlertBot instance.", IsError: true);
        }

        try
        {
            var context = Context(command);
            if (SlashArguments.Attachment(input) is { } file)
            {
                context = context with { Attachment = await DownloadAsync(file, cancellationToken) };
            }

            return await processor.ExecuteAsync(args, context, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCommandFailed("/" + input.Name, ex);
            return new CommandReply("Something went wrong running that command; it has been logged.", IsError: true);
        }
    }

    private static SlashInput Input(SocketSlashCommandData data)
    {
        var sub = data.Options.FirstOrDefault(o => o.Type is ApplicationCommandOptionType.SubCommand);
        var values = (sub?.Options ?? data.Options)
            .Where(o => o.Type is not (ApplicationCommandOptionType.SubCommand or ApplicationCommandOptionType.SubCommandGroup))
            .ToDictionary(
                o => o.Name,
                o => o.Value is IAttachment a ? new AttachmentRef(a.Filename, a.Size, a.Url) : (object?)o.Value,
                StringComparer.Ordinal);
        return new SlashInput(data.Name, sub?.Name, values);
    }

    /// <summary>
    /// Who is asking: in a server, an admin is a member with Manage Channels (or Administrator) in this channel,
    /// resolved by Discord.Net from the cached guild's roles and the channel's overwrites; in a DM, the user.
    /// </summary>
    private static CommandContext Context(SocketInteraction command)
    {
        var channelId = command.ChannelId ?? command.Channel?.Id ?? 0;
        var inGuild = command.GuildId is not null;
        var isAdmin = !inGuild || (command.User is SocketGuildUser member && IsAdmin(member, command.Channel as IGuildChannel));
        var title = (command.Channel as IChannel)?.Name;
        return new CommandContext(
            DiscordTarget.Channel(channelId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            title,
            command.User.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            UserIsAdmin: isAdmin,
            IsPrivate: !inGuild);
    }

    private static bool IsAdmin(SocketGuildUser member, IGuildChannel? channel)
    {
        if (member.GuildPermissions.Administrator)
        {
            return true;
        }

        return channel is not null ? member.GetPermissions(channel).ManageChannel : member.GuildPermissions.ManageChannels;
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
            LogAttachmentFailed(DiscordLog.Describe(ex));
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway work queue is full; a slash command was dropped")]
    private partial void LogQueueFull();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to download a command attachment from {Host}: not Discord's CDN")]
    private partial void LogAttachmentRefused(string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not download a command attachment: {Cause}")]
    private partial void LogAttachmentFailed(string cause);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Count} Discord slash commands {Scope}")]
    private partial void LogCommandsRegistered(int count, string scope);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not register Discord slash commands: {Reason}")]
    private partial void LogCommandsNotRegistered(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not acknowledge Discord interaction {InteractionId}: {Reason}")]
    private partial void LogDeferFailed(ulong interactionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord interaction {InteractionId} was already acknowledged (an earlier try reached Discord); answering it")]
    private partial void LogAlreadyDeferred(ulong interactionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send the reply to Discord interaction {InteractionId}: {Reason}")]
    private partial void LogReplyFailed(ulong interactionId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord interaction handling failed")]
    private partial void LogInteractionFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command {Command} failed")]
    private partial void LogCommandFailed(string command, Exception exception);
}
