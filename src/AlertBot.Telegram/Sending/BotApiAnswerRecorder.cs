using System.Text.Json;

namespace AlertBot.Telegram.Sending;

/// <summary>What the Bot API answered to one call, as far as the HTTP layer saw it.</summary>
internal sealed class BotApiAnswer
{
    /// <summary>The HTTP status, once a response arrived.</summary>
    public int? Status { get; set; }

    /// <summary>The top-level <c>ok</c> flag of a success response's JSON; null when there was none to read.</summary>
    public bool? Ok { get; set; }

    /// <summary>An HTTP 200 whose JSON said <c>"ok": true</c>: Telegram did what was asked, whatever else the body holds.</summary>
    public bool Accepted => Status == 200 && Ok == true;
}

/// <summary>
/// Sits on the Telegram HTTP client and notes the status and the <c>ok</c> flag of the answer to a call that asked for
/// it (<see cref="Watch"/>). Telegram.Bot turns a success answer whose <c>result</c> it cannot read (a field it does
/// not know how to parse, a date out of range) into the same <c>RequestException</c> as an unreadable error page, so the
/// sender could not tell "posted, answer unreadable" from "not posted": this records the one fact that decides it.
/// </summary>
/// <remarks>
/// The note travels in an <see cref="AsyncLocal{T}"/> the caller sets before the call: the handler runs in the caller's
/// flow, and calls that did not ask (getUpdates) are passed through untouched. The body is buffered, which costs
/// nothing here: the library reads all of it anyway.
/// </remarks>
public sealed class BotApiAnswerRecorder : DelegatingHandler
{
    private static readonly AsyncLocal<BotApiAnswer?> Current = new();

    /// <summary>Asks for the next Bot API call in this async flow (and those it starts) to be noted.</summary>
    internal static BotApiAnswer Watch()
    {
        var answer = new BotApiAnswer();
        Current.Value = answer;
        return answer;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Current.Value is not { } answer)
        {
            return response;
        }

        answer.Status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            answer.Ok = ReadOkFlag(body);
        }

        return response;
    }

    /// <summary>The top-level <c>"ok"</c> boolean of a JSON object, or null when the body is not such an object.</summary>
    internal static bool? ReadOkFlag(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            bool? ok = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isOk = reader.ValueTextEquals("ok"u8);
                reader.Read();
                if (isOk && reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                {
                    ok = reader.TokenType == JsonTokenType.True;
                }

                reader.Skip();
            }

            // A body cut off half-way is not an answer: the reader throws before it gets here.
            return reader.TokenType == JsonTokenType.EndObject ? ok : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
