using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlertBot.Testing.Faults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlertBot.Testing.Telegram;

/// <summary>Telegram's message limits as the fake enforces them (the real ones by default).</summary>
public sealed record FakeTelegramLimits(TimeSpan PerChatInterval, int PerGroup, TimeSpan GroupWindow, int Global, TimeSpan GlobalWindow)
{
    public static FakeTelegramLimits Telegram { get; } = new(TimeSpan.FromSeconds(1), 20, TimeSpan.FromMinutes(1), 30, TimeSpan.FromSeconds(1));
}

/// <summary>One Bot API call as it arrived; <paramref name="Fault"/> says how an injected fault spoiled its answer.</summary>
public sealed record RecordedCall(string Method, JsonObject Body, int Status, TimeSpan At, ChatFault Fault = ChatFault.None);

/// <summary>A long poll ended with 409 by a later one (or setWebhook): when it arrived and when it ended, on the fake's clock.</summary>
public sealed record TerminatedPoll(TimeSpan StartedAt, TimeSpan EndedAt);

/// <summary>A message the fake accepted: the HTML as sent and the text as a user would see it.</summary>
public sealed record SentMessage(long ChatId, int MessageId, string Html, string PlainText, string? ParseMode, int? ReplyTo, JsonObject Body);

/// <summary>
/// A loopback Bot API server (Kestrel on 127.0.0.1:0) speaking Telegram's JSON at <c>/bot{token}/{method}</c>:
/// answers <c>{"ok":true,"result":…}</c> or <c>{"ok":false,"error_code","description","parameters"}</c>, records every
/// call, enforces the per-chat, per-group and global message limits with real 429s and retry_after, validates HTML
/// parse mode like Telegram, serves queued updates to getUpdates honouring offset and timeout (a newer long poll ends
/// the one in flight with 409, as Telegram's server does), and can be scripted to fail: 429 n times, 403 for a chat,
/// 400 migrate_to_chat_id.
/// </summary>
public sealed partial class FakeTelegramServer : IAsyncDisposable
{
    public const string DefaultToken = "123456789:AAHfakeTOKENfor-tests_only0123456789";

    private readonly Lock _gate = new();
    private readonly WebApplication _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<RecordedCall> _calls = [];
    private readonly List<SentMessage> _sent = [];
    private readonly List<JsonObject> _updates = [];
    private readonly List<JsonObject> _confirmed = [];
    private readonly Dictionary<(long Chat, long User), string> _members = [];
    private readonly Dictionary<long, string> _forbidden = [];
    private readonly Dictionary<long, long> _migrated = [];
    private readonly Dictionary<long, (int Times, int RetryAfter)> _scripted429 = [];
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Code, string Description)>> _failures = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, TimeSpan> _lastByChat = [];
    private readonly Dictionary<long, Queue<TimeSpan>> _byGroup = [];
    private readonly Queue<TimeSpan> _global = new();
    private readonly ConcurrentDictionary<string, int> _unreadable = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, (byte[] Content, long Size)> _files = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextUpdateId = 1000;
    private int _nextMessageId = 1;
    private readonly List<TerminatedPoll> _terminatedPolls = [];
    private TaskCompletionSource<string>? _longPoll;
    private TimeSpan _nextConflictAt;

    private FakeTelegramServer(WebApplication app, string token, FakeTelegramLimits limits)
    {
        _app = app;
        Token = token;
        Limits = limits;
        BotId = long.Parse(token.Split(':')[0], CultureInfo.InvariantCulture);
    }

    public string Token { get; }

    public long BotId { get; }

    public string BotUsername { get; set; } = "AlertNewsBot";

    public FakeTelegramLimits Limits { get; }

    /// <summary>http://127.0.0.1:port, for TelegramBotClientOptions.BaseUrl / AlertBot:Telegram:ApiBaseUrl.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>A webhook URL set by setWebhook; getUpdates answers 409 while one is set.</summary>
    public string? WebhookUrl { get; private set; }

    /// <summary>Every getUpdates answers 409 Conflict while true (another instance polls this token).</summary>
    public bool ConflictOnGetUpdates { get; set; }

    /// <summary>True while a getUpdates waits here for updates (a long poll in flight).</summary>
    public bool HasLongPollInFlight
    {
        get
        {
            lock (_gate)
            {
                return _longPoll is not null;
            }
        }
    }

    /// <summary>
    /// The long polls ended with 409 by a later getUpdates (or by setWebhook), as Telegram's server does: a getUpdates
    /// that finds nothing takes the place of the one in flight. A live poller that sees one has a rival; the poll of a client that died or
    /// gave up, still in flight here, may be ended so when another instance takes over.
    /// </summary>
    public IReadOnlyList<TerminatedPoll> TerminatedPolls
    {
        get
        {
            lock (_gate)
            {
                return [.. _terminatedPolls];
            }
        }
    }

    /// <summary>
    /// Keep confirmed updates aside so <see cref="RestoreConfirmedUpdates"/> can serve them again: what Telegram would
    /// serve a bot that died before its next getUpdates confirmed them.
    /// </summary>
    public bool KeepConfirmedUpdates { get; set; } = true;

    /// <summary>Puts every confirmed update back in the queue (see <see cref="KeepConfirmedUpdates"/>).</summary>
    public void RestoreConfirmedUpdates()
    {
        lock (_gate)
        {
            _updates.InsertRange(0, _confirmed);
            _confirmed.Clear();
            Signal();
        }
    }

    /// <summary>
    /// Spoils a share of sendMessage calls (5xx, 429 with retry_after, answers held past the client's timeout, cut
    /// connections); null for none. Injected 429s are not counted in <see cref="LimitRejections"/>.
    /// </summary>
    public FaultInjector? Faults { get; set; }

    /// <summary>The fake's clock, the one <see cref="RecordedCall.At"/> is read from (to time a delivery from outside).</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>429s the fake sent because a limit was exceeded (scripted ones not counted).</summary>
    public int LimitRejections { get; private set; }

    public static async Task<FakeTelegramServer> StartAsync(string token = DefaultToken, FakeTelegramLimits? limits = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeTelegramServer(app, token, limits ?? FakeTelegramLimits.Telegram);
        app.MapPost("/bot{token}/{method}", server.HandleAsync);
        app.MapGet("/bot{token}/{method}", server.HandleAsync);
        app.MapGet("/file/bot{token}/{**path}", server.ServeFileAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        return server;
    }

    // ---- what happened ---------------------------------------------------------------------------------------

    public IReadOnlyList<RecordedCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public IReadOnlyList<SentMessage> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    public IReadOnlyList<SentMessage> SentTo(long chatId) => Sent.Where(m => m.ChatId == chatId).ToArray();

    public int CallCount(string method) => Calls.Count(c => c.Method == method);

    /// <summary>Completes when a recorded call satisfies the condition (already made or to come).</summary>
    public Task<RecordedCall> WaitForCallAsync(Func<RecordedCall, bool> condition, TimeSpan? timeout = null) =>
        WaitAsync(() => Calls.FirstOrDefault(condition), timeout);

    /// <summary>Completes when an accepted message satisfies the condition (already sent or to come).</summary>
    public Task<SentMessage> WaitForMessageAsync(Func<SentMessage, bool> condition, TimeSpan? timeout = null) =>
        WaitAsync(() => Sent.FirstOrDefault(condition), timeout);

    /// <summary>Completes when the bot has confirmed (by a later offset) every update queued so far.</summary>
    public Task WaitForUpdatesConsumedAsync(TimeSpan? timeout = null) =>
        WaitAsync(() => PendingUpdates == 0 ? "" : null, timeout);

    public int PendingUpdates
    {
        get
        {
            lock (_gate)
            {
                return _updates.Count;
            }
        }
    }

    private async Task<T> WaitAsync<T>(Func<T?> probe, TimeSpan? timeout)
        where T : class
    {
        var deadline = _clock.Elapsed + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (probe() is { } found)
            {
                return found;
            }

            var left = deadline - _clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("The fake Telegram server did not see what the test waited for.");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    // ---- scripting -------------------------------------------------------------------------------------------

    /// <summary>The user's status in the chat for getChatMember: creator, administrator, member, left, kicked.</summary>
    public void SetMember(long chatId, long userId, string status)
    {
        lock (_gate)
        {
            _members[(chatId, userId)] = status;
        }
    }

    /// <summary>sendMessage to the chat answers 403 with this description.</summary>
    public void Forbid(long chatId, string description = "Forbidden: bot was blocked by the user")
    {
        lock (_gate)
        {
            _forbidden[chatId] = description;
        }
    }

    /// <summary>The group became a supergroup: sendMessage to the old id answers 400 with migrate_to_chat_id.</summary>
    public void Migrate(long oldChatId, long newChatId)
    {
        lock (_gate)
        {
            _migrated[oldChatId] = newChatId;
        }
    }

    /// <summary>The next <paramref name="times"/> sendMessage calls to the chat answer 429 with this retry_after.</summary>
    public void Inject429(long chatId, int times, int retryAfterSeconds)
    {
        lock (_gate)
        {
            _scripted429[chatId] = (times, retryAfterSeconds);
        }
    }

    /// <summary>
    /// The next <paramref name="times"/> successful calls of the method do their work and answer HTTP 200 with
    /// <c>"ok": true</c>, but with a <c>result</c> whose <c>date</c> lies past the year 9999: valid JSON that Telegram.Bot
    /// cannot read into a message, as an independent Bot API server may send.
    /// </summary>
    public void AnswerUnreadably(string method, int times = 1) =>
        _unreadable.AddOrUpdate(method, times, (_, left) => left + times);

    /// <summary>The next calls of the method fail with this answer (queued after earlier scripted failures).</summary>
    public void FailNext(string method, int code, string description, int times = 1)
    {
        var queue = _failures.GetOrAdd(method, _ => new ConcurrentQueue<(int, string)>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue((code, description));
        }
    }

    // ---- updates ---------------------------------------------------------------------------------------------

    /// <summary>Queues an update (given without update_id) and returns the id it got.</summary>
    public int EnqueueUpdate(JsonObject update)
    {
        lock (_gate)
        {
            var id = _nextUpdateId++;
            update["update_id"] = id;
            _updates.Add(update);
            Signal();
            return id;
        }
    }

    /// <summary>Queues raw update JSON as is (update_id included), for malformed-input tests.</summary>
    public void EnqueueRawUpdate(JsonObject update)
    {
        lock (_gate)
        {
            if (ReadLong(update["update_id"]) is { } id && id >= _nextUpdateId)
            {
                _nextUpdateId = (int)id + 1;
            }

            _updates.Add(update);
            Signal();
        }
    }

    public int SendText(long chatId, long fromUserId, string text, string? chatType = null, string? title = "Test group") =>
        EnqueueUpdate(new JsonObject { ["message"] = MessageJson(chatId, fromUserId, text, chatType, title) });

    public int PostInChannel(long chatId, string text, string title = "Test channel") =>
        EnqueueUpdate(new JsonObject
        {
            ["channel_post"] = new JsonObject
            {
                ["message_id"] = NextMessageId(),
                ["date"] = Now(),
                ["chat"] = ChatJson(chatId, "channel", title),
                ["sender_chat"] = ChatJson(chatId, "channel", title),
                ["text"] = text,
            },
        });

    /// <summary>The bot's own membership changed (kicked, left, member, administrator).</summary>
    public int ChangeMyMembership(long chatId, string newStatus, long byUserId = 1) =>
        EnqueueUpdate(new JsonObject
        {
            ["my_chat_member"] = new JsonObject
            {
                ["chat"] = ChatJson(chatId, TypeOf(chatId), "Test group"),
                ["from"] = UserJson(byUserId, isBot: false),
                ["date"] = Now(),
                ["old_chat_member"] = MemberJson("administrator", BotId, isBot: true),
                ["new_chat_member"] = MemberJson(newStatus, BotId, isBot: true),
            },
        });

    /// <summary>A user sends a file with a caption (a document message), as for /feeds import.</summary>
    /// <param name="declaredSize">The file_size the message and getFile state (default: the real size), to test a client that trusts it.</param>
    public int SendDocument(long chatId, long fromUserId, string caption, string fileName, byte[] content, long? declaredSize = null)
    {
        var fileId = AddFile(content, declaredSize);
        var message = MessageJson(chatId, fromUserId, caption);
        message.Remove("text");
        message["caption"] = caption;
        if (message["entities"] is JsonNode entities)
        {
            message.Remove("entities");
            message["caption_entities"] = entities;
        }

        message["document"] = new JsonObject
        {
            ["file_id"] = fileId,
            ["file_unique_id"] = "u" + fileId,
            ["file_name"] = fileName,
            ["mime_type"] = "text/x-opml",
            ["file_size"] = _files[fileId].Size,
        };
        return EnqueueUpdate(new JsonObject { ["message"] = message });
    }

    /// <summary>Stores a file that getFile describes and /file/bot{token}/{path} serves; returns its file_id.</summary>
    public string AddFile(byte[] content, long? declaredSize = null)
    {
        var fileId = "doc" + Guid.NewGuid().ToString("N");
        _files[fileId] = (content, declaredSize ?? content.Length);
        return fileId;
    }

    /// <summary>How often a file was downloaded through /file/bot{token}/...</summary>
    public int FileDownloads => Volatile.Read(ref _fileDownloads);

    private int _fileDownloads;

    /// <summary>The files the bot uploaded with sendDocument: (chat, file name, content).</summary>
    public IReadOnlyList<(long ChatId, string FileName, byte[] Content)> Documents
    {
        get
        {
            lock (_gate)
            {
                return [.. _documents];
            }
        }
    }

    private readonly List<(long ChatId, string FileName, byte[] Content)> _documents = [];

    public JsonObject MessageJson(long chatId, long fromUserId, string text, string? chatType = null, string? title = "Test group")
    {
        var type = chatType ?? TypeOf(chatId);
        var message = new JsonObject
        {
            ["message_id"] = NextMessageId(),
            ["date"] = Now(),
            ["chat"] = type == "private" ? ChatJson(chatId, type, null) : ChatJson(chatId, type, title),
            ["from"] = UserJson(fromUserId, isBot: false),
            ["text"] = text,
        };
        var command = text.StartsWith('/') ? text.Split(' ', '\n')[0] : null;
        if (command is not null)
        {
            message["entities"] = new JsonArray(new JsonObject { ["type"] = "bot_command", ["offset"] = 0, ["length"] = command.Length });
        }

        return message;
    }

    private static string TypeOf(long chatId) =>
        chatId > 0 ? "private" : chatId <= -1_000_000_000_000 ? "supergroup" : "group";

    private static JsonObject ChatJson(long id, string type, string? title)
    {
        var chat = new JsonObject { ["id"] = id, ["type"] = type };
        if (type == "private")
        {
            chat["first_name"] = "User" + id.ToString(CultureInfo.InvariantCulture);
        }
        else if (title is not null)
        {
            chat["title"] = title;
        }

        return chat;
    }

    private static JsonObject UserJson(long id, bool isBot) =>
        new() { ["id"] = id, ["is_bot"] = isBot, ["first_name"] = "User" + id.ToString(CultureInfo.InvariantCulture) };

    private static JsonObject MemberJson(string status, long userId, bool isBot)
    {
        var member = new JsonObject { ["status"] = status, ["user"] = UserJson(userId, isBot) };
        switch (status)
        {
            case "creator":
                member["is_anonymous"] = false;
                break;
            case "administrator":
                foreach (var right in AdminRights)
                {
                    member[right] = right != "is_anonymous";
                }

                break;
            case "kicked":
                member["until_date"] = 0;
                break;
            case "restricted":
                member["is_member"] = true;
                member["until_date"] = 0;
                foreach (var right in RestrictedRights)
                {
                    member[right] = false;
                }

                break;
            default:
                break;
        }

        return member;
    }

    private static readonly string[] AdminRights =
    [
        "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
        "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
        "can_edit_stories", "can_delete_stories",
    ];

    private static readonly string[] RestrictedRights =
    [
        "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
        "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
        "can_add_web_page_previews", "can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics",
    ];

    private int NextMessageId()
    {
        lock (_gate)
        {
            return _nextMessageId++;
        }
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    // ---- the Bot API -----------------------------------------------------------------------------------------

    private async Task HandleAsync(HttpContext http, string token, string method)
    {
        JsonObject body;
        try
        {
            body = await ReadBodyAsync(http.Request);
        }
        catch (JsonException)
        {
            await AnswerAsync(http, method, new JsonObject(), Error(400, "Bad Request: invalid JSON"));
            return;
        }

        if (token != Token)
        {
            await AnswerAsync(http, method, body, Error(401, "Unauthorized"));
            return;
        }

        if (_failures.TryGetValue(method, out var scripted) && scripted.TryDequeue(out var failure))
        {
            await AnswerAsync(http, method, body, Error(failure.Code, failure.Description));
            return;
        }

        var fault = Faults is { } faults && string.Equals(method, "sendMessage", StringComparison.OrdinalIgnoreCase)
            ? faults.Next()
            : ChatFault.None;
        switch (fault)
        {
            case ChatFault.ServerError:
                await AnswerAsync(http, method, body, Error(502, "Bad Gateway"), fault);
                return;
            case ChatFault.RateLimited:
                await AnswerAsync(http, method, body, TooMany((int)Math.Max(1, Math.Ceiling(Faults!.RetryAfter.TotalSeconds))), fault);
                return;
            case ChatFault.DropBefore:
                Record(method, body, 0, fault);
                http.Abort();
                return;
            default:
                break;
        }

        var answer = method.ToLowerInvariant() switch
        {
            "getme" => Ok(new JsonObject
            {
                ["id"] = BotId,
                ["is_bot"] = true,
                ["first_name"] = "AlertBot",
                ["username"] = BotUsername,
                ["can_join_groups"] = true,
                ["can_read_all_group_messages"] = false,
                ["supports_inline_queries"] = false,
            }),
            "deletewebhook" => DeleteWebhook(),
            "setwebhook" => SetWebhook(body),
            "setmycommands" => SetMyCommands(body),
            "getchatmember" => GetChatMember(body),
            "sendmessage" => SendMessage(body),
            "editmessagetext" => EditMessageText(body),
            "answercallbackquery" => AnswerCallbackQuery(body),
            "getfile" => GetFile(body),
            "senddocument" => await SendDocumentAsync(http.Request, body),
            "sendphoto" => await SendPhotoAsync(http.Request, body),
            "getupdates" => await GetUpdatesAsync(body, http.RequestAborted),
            _ => Error(404, "Not Found: method not found"),
        };
        if (fault is ChatFault.Timeout or ChatFault.DropAfter)
        {
            // Accepted (or refused) here, but the client never hears of it.
            Record(method, body, answer.Item1, fault);
            if (answer.Item1 == 200)
            {
                Faults!.ResponseLost();
            }

            if (fault == ChatFault.Timeout)
            {
                try
                {
                    await Task.Delay(Faults!.HangFor, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up first, as it should.
                }
            }

            http.Abort();
            return;
        }

        if (answer.Item1 == 200 && answer.Item2["result"] is JsonObject result && TakeUnreadable(method))
        {
            result["date"] = 253_402_300_800; // 10000-01-01T00:00:00Z
        }

        await AnswerAsync(http, method, body, answer);
    }

    private bool TakeUnreadable(string method)
    {
        while (_unreadable.TryGetValue(method, out var left) && left > 0)
        {
            if (_unreadable.TryUpdate(method, left - 1, left))
            {
                return true;
            }
        }

        return false;
    }

    private (int, JsonObject) GetFile(JsonObject body)
    {
        var fileId = body["file_id"]?.GetValue<string>();
        return fileId is not null && _files.TryGetValue(fileId, out var file)
            ? Ok(new JsonObject
            {
                ["file_id"] = fileId,
                ["file_unique_id"] = "u" + fileId,
                ["file_size"] = file.Size,
                ["file_path"] = "documents/" + fileId + ".opml",
            })
            : Error(400, "Bad Request: invalid file_id");
    }

    private async Task ServeFileAsync(HttpContext http, string token, string path)
    {
        var fileId = Path.GetFileNameWithoutExtension(path);
        if (token != Token || !path.StartsWith("documents/", StringComparison.Ordinal) || !_files.TryGetValue(fileId, out var file))
        {
            http.Response.StatusCode = 404;
            return;
        }

        Interlocked.Increment(ref _fileDownloads);
        http.Response.ContentType = "application/octet-stream";
        await http.Response.Body.WriteAsync(file.Content);
    }

    private async Task<(int, JsonObject)> SendDocumentAsync(HttpRequest request, JsonObject body)
    {
        var chat = ReadLong(body["chat_id"]);
        // The file is the multipart part itself or, as Telegram.Bot sends it, "attach://<part name>".
        var reference = body["document"]?.GetValue<string>() ?? "";
        var part = reference.StartsWith("attach://", StringComparison.Ordinal) ? reference["attach://".Length..] : "document";
        var file = request.HasFormContentType ? (await request.ReadFormAsync()).Files.GetFile(part) : null;
        if (chat is null || file is null)
        {
            return Error(400, "Bad Request: there is no document in the request");
        }

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer);
        var id = NextMessageId();
        lock (_gate)
        {
            _documents.Add((chat.Value, file.FileName, buffer.ToArray()));
            Signal();
        }

        return Ok(new JsonObject
        {
            ["message_id"] = id,
            ["date"] = Now(),
            ["chat"] = ChatJson(chat.Value, TypeOf(chat.Value), "Test group"),
            ["document"] = new JsonObject { ["file_id"] = "sent" + id, ["file_unique_id"] = "usent" + id, ["file_name"] = file.FileName },
        });
    }

    private void Record(string method, JsonObject body, int status, ChatFault fault)
    {
        lock (_gate)
        {
            _calls.Add(new RecordedCall(method, body, status, _clock.Elapsed, fault));
            Signal();
        }
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            var fromForm = new JsonObject();
            foreach (var (key, value) in form)
            {
                fromForm[key] = value.ToString();
            }

            return fromForm;
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        return string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject();
    }

    private async Task AnswerAsync(HttpContext http, string method, JsonObject body, (int Status, JsonObject Json) answer, ChatFault fault = ChatFault.None)
    {
        Record(method, body, answer.Status, fault);

        if (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        http.Response.StatusCode = answer.Status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer.Json.ToJsonString());
    }

    private static (int, JsonObject) Ok(JsonNode result) => (200, new JsonObject { ["ok"] = true, ["result"] = result });

    private static (int, JsonObject) Error(int code, string description, JsonObject? parameters = null)
    {
        var json = new JsonObject { ["ok"] = false, ["error_code"] = code, ["description"] = description };
        if (parameters is not null)
        {
            json["parameters"] = parameters;
        }

        return (code, json);
    }

    private (int, JsonObject) DeleteWebhook()
    {
        lock (_gate)
        {
            WebhookUrl = null;
        }

        return Ok(true);
    }

    private (int, JsonObject) SetWebhook(JsonObject body)
    {
        var url = body["url"]?.GetValue<string>();
        if (url is null || !url.StartsWith("https://", StringComparison.Ordinal))
        {
            return Error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
        }

        lock (_gate)
        {
            WebhookUrl = url;

            // Telegram's server ends a long poll in flight when a webhook is set (Client::abort_long_poll(true)).
            _longPoll?.TrySetResult("Conflict: terminated by setWebhook request");
        }

        return Ok(true);
    }

    /// <summary>The commands of the last setMyCommands call.</summary>
    public IReadOnlyList<(string Command, string Description)> Commands { get; private set; } = [];

    private (int, JsonObject) SetMyCommands(JsonObject body)
    {
        if (body["commands"] is not JsonArray commands || commands.Count > 100)
        {
            return Error(400, "Bad Request: commands must be an array of at most 100 commands");
        }

        var parsed = new List<(string, string)>();
        foreach (var command in commands.OfType<JsonObject>())
        {
            var name = command["command"]?.GetValue<string>() ?? "";
            var description = command["description"]?.GetValue<string>() ?? "";
            if (name.Length is < 1 or > 32 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') ||
                description.Length is < 1 or > 256)
            {
                return Error(400, "Bad Request: BOT_COMMAND_INVALID");
            }

            parsed.Add((name, description));
        }

        Commands = parsed;
        return Ok(true);
    }

    private (int, JsonObject) GetChatMember(JsonObject body)
    {
        var chat = ReadLong(body["chat_id"]);
        var user = ReadLong(body["user_id"]);
        if (chat is null || user is null)
        {
            return Error(400, "Bad Request: chat_id and user_id are required");
        }

        string status;
        lock (_gate)
        {
            status = _members.GetValueOrDefault((chat.Value, user.Value), "member");
        }

        return Ok(MemberJson(status, user.Value, isBot: false));
    }

    private (int, JsonObject) SendMessage(JsonObject body)
    {
        var chat = ReadLong(body["chat_id"]);
        var text = body["text"]?.GetValue<string>();
        var parseMode = body["parse_mode"]?.GetValue<string>();
        if (chat is null)
        {
            return Error(400, "Bad Request: chat not found");
        }

        lock (_gate)
        {
            var chatId = chat.Value;
            if (_forbidden.TryGetValue(chatId, out var forbidden))
            {
                return Error(403, forbidden);
            }

            if (_migrated.TryGetValue(chatId, out var newId))
            {
                return Error(400, "Bad Request: group chat was upgraded to a supergroup chat", new JsonObject { ["migrate_to_chat_id"] = newId });
            }

            if (_scripted429.TryGetValue(chatId, out var scripted) && scripted.Times > 0)
            {
                _scripted429[chatId] = (scripted.Times - 1, scripted.RetryAfter);
                return TooMany(scripted.RetryAfter);
            }

            var now = _clock.Elapsed;
            if (LimitWait(chatId, now) is { } wait)
            {
                LimitRejections++;
                return TooMany((int)Math.Max(1, Math.Ceiling(wait.TotalSeconds)));
            }

            string plain;
            if (string.IsNullOrEmpty(text))
            {
                return Error(400, "Bad Request: message text is empty");
            }

            if (string.Equals(parseMode, "HTML", StringComparison.OrdinalIgnoreCase))
            {
                var parsed = TelegramHtmlChecker.Parse(text);
                if (parsed.Error is not null)
                {
                    return Error(400, "Bad Request: can't parse entities: " + parsed.Error);
                }

                plain = parsed.Text;
            }
            else
            {
                plain = text;
            }

            if (plain.Trim().Length == 0)
            {
                return Error(400, "Bad Request: message text is empty");
            }

            if (plain.Length > 4096)
            {
                return Error(400, "Bad Request: message is too long");
            }

            if (CheckReplyMarkup(body["reply_markup"]) is { } markupError)
            {
                return Error(400, "Bad Request: " + markupError);
            }

            Record(chatId, now);
            var messageId = _nextMessageId++;
            var replyTo = body["reply_parameters"]?["message_id"] is { } r ? (int?)ReadLong(r) : null;
            _sent.Add(new SentMessage(chatId, messageId, text, plain, parseMode, replyTo, body));
            Signal();
            return Ok(new JsonObject
            {
                ["message_id"] = messageId,
                ["date"] = Now(),
                ["chat"] = ChatJson(chatId, TypeOf(chatId), "Test group"),
                ["from"] = new JsonObject { ["id"] = BotId, ["is_bot"] = true, ["first_name"] = "AlertBot", ["username"] = BotUsername },
                ["text"] = plain,
            });
        }
    }

    /// <summary>Every successful editMessageText, in order: the message as it reads after the edit.</summary>
    public IReadOnlyList<SentMessage> Edits
    {
        get
        {
            lock (_gate)
            {
                return [.. _edits];
            }
        }
    }

    private readonly List<SentMessage> _edits = [];

    /// <summary>
    /// editMessageText as the Bot API answers it: the message must be one this bot sent to that chat; the same text
    /// again is 400 "message is not modified"; the current text of the message is what <see cref="Sent"/> then shows.
    /// </summary>
    private (int, JsonObject) EditMessageText(JsonObject body)
    {
        var chat = ReadLong(body["chat_id"]);
        var messageId = ReadLong(body["message_id"]);
        var text = body["text"]?.GetValue<string>();
        var parseMode = body["parse_mode"]?.GetValue<string>();
        if (chat is null || messageId is null || string.IsNullOrEmpty(text))
        {
            return Error(400, "Bad Request: chat_id, message_id and text are required");
        }

        lock (_gate)
        {
            if (_forbidden.TryGetValue(chat.Value, out var forbidden))
            {
                return Error(403, forbidden);
            }

            var index = _sent.FindIndex(m => m.ChatId == chat.Value && m.MessageId == messageId.Value);
            if (index < 0)
            {
                return Error(400, "Bad Request: message to edit not found");
            }

            var plain = text;
            if (string.Equals(parseMode, "HTML", StringComparison.OrdinalIgnoreCase))
            {
                var parsed = TelegramHtmlChecker.Parse(text);
                if (parsed.Error is not null)
                {
                    return Error(400, "Bad Request: can't parse entities: " + parsed.Error);
                }

                plain = parsed.Text;
            }

            if (plain.Length > 4096)
            {
                return Error(400, "Bad Request: MESSAGE_TOO_LONG");
            }

            var old = _sent[index];
            if (old.Html == text)
            {
                return Error(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
            }

            var edited = old with { Html = text, PlainText = plain, ParseMode = parseMode, Body = body };
            _sent[index] = edited;
            _edits.Add(edited);
            Signal();
            return Ok(new JsonObject
            {
                ["message_id"] = old.MessageId,
                ["date"] = Now(),
                ["edit_date"] = Now(),
                ["chat"] = ChatJson(chat.Value, TypeOf(chat.Value), "Test group"),
                ["from"] = new JsonObject { ["id"] = BotId, ["is_bot"] = true, ["first_name"] = "AlertBot", ["username"] = BotUsername },
                ["text"] = plain,
            });
        }
    }

    private static (int, JsonObject) TooMany(int retryAfter) =>
        Error(429, "Too Many Requests: retry after " + retryAfter.ToString(CultureInfo.InvariantCulture), new JsonObject { ["retry_after"] = retryAfter });

    /// <summary>How long until the chat may receive one more message, or null when it may now.</summary>
    private TimeSpan? LimitWait(long chatId, TimeSpan now)
    {
        var wait = TimeSpan.Zero;
        if (_lastByChat.TryGetValue(chatId, out var last) && now - last < Limits.PerChatInterval)
        {
            wait = Limits.PerChatInterval - (now - last);
        }

        if (chatId < 0 && _byGroup.TryGetValue(chatId, out var group))
        {
            wait = Max(wait, WindowWait(group, Limits.PerGroup, Limits.GroupWindow, now));
        }

        wait = Max(wait, WindowWait(_global, Limits.Global, Limits.GlobalWindow, now));
        return wait > TimeSpan.Zero ? wait : null;
    }

    private static TimeSpan WindowWait(Queue<TimeSpan> window, int limit, TimeSpan length, TimeSpan now)
    {
        while (window.Count > 0 && window.Peek() <= now - length)
        {
            window.Dequeue();
        }

        return window.Count < limit ? TimeSpan.Zero : window.ElementAt(window.Count - limit) + length - now;
    }

    private void Record(long chatId, TimeSpan now)
    {
        _lastByChat[chatId] = now;
        if (chatId < 0)
        {
            if (!_byGroup.TryGetValue(chatId, out var group))
            {
                _byGroup[chatId] = group = new Queue<TimeSpan>();
            }

            group.Enqueue(now);
        }

        _global.Enqueue(now);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // As Telegram's own server (tdlib/telegram-bot-api, Client::do_get_updates and abort_long_poll): a getUpdates that
    // finds nothing to return and may wait takes the place of the long poll in flight, and that older poll is answered
    // 409 "terminated by other getUpdates request" (one such answer at once per 3 s, the others 3 s later:
    // Client::fail_query_conflict). The newer caller is not refused: the last to ask wins. setWebhook ends it too.
    private async Task<(int, JsonObject)> GetUpdatesAsync(JsonObject body, CancellationToken aborted)
    {
        var started = _clock.Elapsed;
        lock (_gate)
        {
            if (ConflictOnGetUpdates)
            {
                return Error(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
            }

            if (WebhookUrl is not null)
            {
                return Error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
            }
        }

        var terminated = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var offset = ReadLong(body["offset"]);
        var limit = (int)Math.Clamp(ReadLong(body["limit"]) ?? 100, 1, 100);
        var timeout = TimeSpan.FromSeconds(Math.Clamp(ReadLong(body["timeout"]) ?? 0, 0, 100));
        var until = started + timeout;
        try
        {
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (terminated.Task.IsCompleted)
                    {
                        break;
                    }

                    if (offset is { } confirmed)
                    {
                        // Telegram forgets every update below the offset once it is asked for it.
                        var gone = _updates.Where(u => (ReadLong(u["update_id"]) ?? long.MaxValue) < confirmed).ToList();
                        _updates.RemoveAll(gone.Contains);
                        if (KeepConfirmedUpdates)
                        {
                            _confirmed.AddRange(gone);
                        }
                    }

                    RememberAllowedUpdates(body["allowed_updates"]);
                    DropUnwantedUpdates();
                    if (_updates.Count > 0)
                    {
                        var batch = new JsonArray();
                        foreach (var update in _updates.Take(limit))
                        {
                            batch.Add(update.DeepClone());
                        }

                        Signal();
                        return Ok(batch);
                    }

                    if (timeout > TimeSpan.Zero && _longPoll != terminated)
                    {
                        _longPoll?.TrySetResult(
                            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
                        _longPoll = terminated;
                    }

                    changed = _changed.Task;
                }

                var left = until - _clock.Elapsed;
                if (left <= TimeSpan.Zero || aborted.IsCancellationRequested)
                {
                    return Ok(new JsonArray());
                }

                await Task.WhenAny(changed, terminated.Task, Task.Delay(left, aborted));
            }
        }
        finally
        {
            lock (_gate)
            {
                if (_longPoll == terminated)
                {
                    _longPoll = null;
                }
            }
        }

        // Ended by a later getUpdates, which has taken this one's place, or by setWebhook.
        TimeSpan delay;
        lock (_gate)
        {
            var now = _clock.Elapsed;
            delay = now >= _nextConflictAt ? TimeSpan.Zero : TimeSpan.FromSeconds(3);
            if (delay == TimeSpan.Zero)
            {
                _nextConflictAt = now + TimeSpan.FromSeconds(3);
            }

            _terminatedPolls.Add(new TerminatedPoll(started, now));
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.WhenAny(Task.Delay(delay, aborted));
        }

        return Error(409, await terminated.Task);
    }

    private static long? ReadLong(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<long>(out var number))
        {
            return number;
        }

        if (value.TryGetValue<int>(out var small))
        {
            return small;
        }

        return value.TryGetValue<string>(out var text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : null;
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
