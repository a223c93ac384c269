using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AlertBot.Testing.Telegram;

/// <summary>An answerCallbackQuery the bot made: the query it answered, the text shown and whether as an alert box.</summary>
public sealed record CallbackAnswer(string QueryId, string? Text, bool ShowAlert);

/// <summary>
/// Inline keyboards and callback queries, as strictly as the Bot API: callback_data of 1–64 bytes, a button with
/// exactly one action, answerCallbackQuery only for a query that exists and was not answered yet, with a text of at
/// most 200 characters and no unknown fields; and allowed_updates honoured, so a poller that does not ask for
/// callback_query never gets one.
/// </summary>
public sealed partial class FakeTelegramServer
{
    public const int MaxCallbackDataBytes = 64;
    public const int MaxCallbackAnswerLength = 200;

    private static readonly string[] ButtonActions =
        ["url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
         "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay"];

    private static readonly HashSet<string> ButtonFields = ["text", .. ButtonActions];

    private static readonly HashSet<string> AnswerFields = ["callback_query_id", "text", "show_alert", "url", "cache_time"];

    // Telegram's default when a poller never said: every type but these.
    private static readonly HashSet<string> NotByDefault = ["chat_member", "message_reaction", "message_reaction_count"];

    private static readonly HashSet<string> UpdateTypes =
    [
        "message", "edited_message", "channel_post", "edited_channel_post", "business_connection", "business_message",
        "edited_business_message", "deleted_business_messages", "message_reaction", "message_reaction_count", "inline_query",
        "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
        "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    ];

    private readonly Dictionary<string, bool> _callbackQueries = new(StringComparer.Ordinal);
    private readonly List<CallbackAnswer> _callbackAnswers = [];
    private HashSet<string>? _allowedUpdates;
    private int _nextCallbackId = 1;

    /// <summary>Every successful answerCallbackQuery, in order.</summary>
    public IReadOnlyList<CallbackAnswer> CallbackAnswers
    {
        get
        {
            lock (_gate)
            {
                return [.. _callbackAnswers];
            }
        }
    }

    public Task<CallbackAnswer> WaitForCallbackAnswerAsync(string queryId, TimeSpan? timeout = null) =>
        WaitAsync(() => CallbackAnswers.FirstOrDefault(a => a.QueryId == queryId), timeout);

    /// <summary>The inline keyboard a sent message carries: (label, callback data) row by row, or empty.</summary>
    public static IReadOnlyList<(string Text, string? Data)> Buttons(SentMessage message) =>
        message.Body["reply_markup"]?["inline_keyboard"] is JsonArray rows
            ? rows.OfType<JsonArray>().SelectMany(r => r.OfType<JsonObject>())
                .Select(b => (b["text"]!.GetValue<string>(), b["callback_data"]?.GetValue<string>())).ToList()
            : [];

    /// <summary>A user presses an inline button under the bot's message: queues a callback_query update; returns the query id.</summary>
    public string PressButton(SentMessage message, long fromUserId, string data, string? chatType = null)
    {
        string id;
        lock (_gate)
        {
            id = (_nextCallbackId++).ToString(CultureInfo.InvariantCulture) + "4242";
            _callbackQueries[id] = false;
        }

        var type = chatType ?? TypeOf(message.ChatId);
        EnqueueUpdate(new JsonObject
        {
            ["callback_query"] = new JsonObject
            {
                ["id"] = id,
                ["from"] = UserJson(fromUserId, isBot: false),
                ["message"] = new JsonObject
                {
                    ["message_id"] = message.MessageId,
                    ["date"] = Now(),
                    ["chat"] = type == "private" ? ChatJson(message.ChatId, type, null) : ChatJson(message.ChatId, type, "Test group"),
                    ["from"] = UserJson(BotId, isBot: true),
                    ["text"] = message.PlainText,
                },
                ["chat_instance"] = "-" + message.ChatId.ToString(CultureInfo.InvariantCulture).TrimStart('-') + "77",
                ["data"] = data,
            },
        });
        return id;
    }

    private (int, JsonObject) AnswerCallbackQuery(JsonObject body)
    {
        if (body.Select(p => p.Key).FirstOrDefault(k => !AnswerFields.Contains(k)) is { } unknown)
        {
            return Error(400, $"Bad Request: unknown field \"{unknown}\"");
        }

        var id = body["callback_query_id"]?.GetValue<string>();
        var text = body["text"]?.GetValue<string>();
        if (text is { Length: > MaxCallbackAnswerLength })
        {
            return Error(400, "Bad Request: MESSAGE_TOO_LONG");
        }

        lock (_gate)
        {
            if (id is null || !_callbackQueries.TryGetValue(id, out var answered) || answered)
            {
                return Error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
            }

            _callbackQueries[id] = true;
            _callbackAnswers.Add(new CallbackAnswer(id, text, body["show_alert"]?.GetValue<bool>() ?? false));
            Signal();
        }

        return Ok(true);
    }

    /// <summary>Null when the markup is absent or a valid inline keyboard; else Telegram's complaint.</summary>
    private static string? CheckReplyMarkup(JsonNode? markup)
    {
        if (markup is null)
        {
            return null;
        }

        if (markup is not JsonObject obj)
        {
            return "can't parse reply keyboard markup JSON object";
        }

        if (obj["inline_keyboard"] is not JsonArray rows)
        {
            return obj.ContainsKey("keyboard") || obj.ContainsKey("remove_keyboard") || obj.ContainsKey("force_reply")
                ? null
                : "can't parse reply keyboard markup JSON object";
        }

        foreach (var row in rows)
        {
            if (row is not JsonArray buttons)
            {
                return "field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays";
            }

            foreach (var node in buttons)
            {
                if (node is not JsonObject button || button["text"]?.GetValue<string>() is not { Length: > 0 })
                {
                    return "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";
                }

                if (button.Select(p => p.Key).FirstOrDefault(k => !ButtonFields.Contains(k)) is { } unknown)
                {
                    return $"can't parse inline keyboard button: unknown field \"{unknown}\"";
                }

                if (ButtonActions.Count(button.ContainsKey) != 1)
                {
                    return "can't parse inline keyboard button: exactly one of the optional fields must be used";
                }

                if (button["callback_data"] is { } data &&
                    Encoding.UTF8.GetByteCount(data.GetValue<string>()) is < 1 or > MaxCallbackDataBytes)
                {
                    return "BUTTON_DATA_INVALID";
                }
            }
        }

        return null;
    }

    private void RememberAllowedUpdates(JsonNode? allowed)
    {
        // Telegram keeps the last list a poller gave; an empty list means "as before".
        if (allowed is JsonArray list && list.Count > 0)
        {
            _allowedUpdates = list.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        }
    }

    /// <summary>Updates of types the poller did not ask for are never delivered (Telegram does not even keep them); malformed ones are left for the tests that send them.</summary>
    private void DropUnwantedUpdates() =>
        _updates.RemoveAll(u =>
        {
            var type = u.Select(p => p.Key).FirstOrDefault(k => k != "update_id");
            return type is not null && UpdateTypes.Contains(type) && (_allowedUpdates is { } allowed ? !allowed.Contains(type) : NotByDefault.Contains(type));
        });
}

/// <summary>A photo the bot sent: the chat, the uploaded file's name and bytes, the caption and the message it replied to.</summary>
public sealed record SentPhoto(long ChatId, string FileName, byte[] Content, string? Caption, int? ReplyTo);

/// <summary>sendPhoto as multipart upload, as strict as Telegram: a real PNG or JPEG, at most 10 MB, caption ≤ 1024.</summary>
public sealed partial class FakeTelegramServer
{
    public const int MaxCaptionLength = 1024;
    private const long MaxPhotoBytes = 10 * 1024 * 1024;

    private readonly List<SentPhoto> _photos = [];

    public IReadOnlyList<SentPhoto> Photos
    {
        get
        {
            lock (_gate)
            {
                return [.. _photos];
            }
        }
    }

    public Task<SentPhoto> WaitForPhotoAsync(long chatId, TimeSpan? timeout = null) =>
        WaitAsync(() => Photos.FirstOrDefault(p => p.ChatId == chatId), timeout);

    private async Task<(int, JsonObject)> SendPhotoAsync(Microsoft.AspNetCore.Http.HttpRequest request, JsonObject body)
    {
        var chat = ReadLong(body["chat_id"]);
        var reference = body["photo"]?.GetValue<string>() ?? "";
        var part = reference.StartsWith("attach://", StringComparison.Ordinal) ? reference["attach://".Length..] : "photo";
        var file = request.HasFormContentType ? (await request.ReadFormAsync()).Files.GetFile(part) : null;
        if (chat is null || file is null)
        {
            return Error(400, "Bad Request: there is no photo in the request");
        }

        var caption = body["caption"]?.GetValue<string>();
        if (caption is { Length: > MaxCaptionLength })
        {
            return Error(400, "Bad Request: message caption is too long");
        }

        if (file.Length > MaxPhotoBytes)
        {
            return Error(400, "Bad Request: PHOTO_INVALID_DIMENSIONS");
        }

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (!bytes.AsSpan().StartsWith(png) && !bytes.AsSpan().StartsWith((byte[])[0xFF, 0xD8, 0xFF]))
        {
            return Error(400, "Bad Request: IMAGE_PROCESS_FAILED");
        }

        var replyTo = ReadLong(body["reply_parameters"] is { } r && r.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? JsonNode.Parse(r.GetValue<string>())?["message_id"]
            : body["reply_parameters"]?["message_id"]);
        var id = NextMessageId();
        lock (_gate)
        {
            _photos.Add(new SentPhoto(chat.Value, file.FileName, bytes, caption, replyTo is { } to ? (int)to : null));
            Signal();
        }

        return Ok(new JsonObject
        {
            ["message_id"] = id,
            ["date"] = Now(),
            ["chat"] = ChatJson(chat.Value, TypeOf(chat.Value), "Test group"),
            ["photo"] = new JsonArray(new JsonObject
            {
                ["file_id"] = "photo" + id, ["file_unique_id"] = "uphoto" + id, ["width"] = 800, ["height"] = 400, ["file_size"] = bytes.Length,
            }),
            ["caption"] = caption,
        });
    }
}
