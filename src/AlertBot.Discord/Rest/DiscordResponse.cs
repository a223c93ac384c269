using System.Net;
using System.Text.Json;

namespace AlertBot.Discord.Rest;

internal enum DiscordOutcome
{
    Success,
    RateLimited,
    Unauthorized,
    Forbidden,
    NotFound,
    BadRequest,
    ServerError,
    TransportError,
}

/// <summary>What one REST call came to. Platform answers are values, not exceptions, so callers map them plainly.</summary>
internal sealed record DiscordResponse(DiscordOutcome Outcome, HttpStatusCode? Status, string? Body, TimeSpan? RetryAfter, string Reason)
{
    public bool IsSuccess => Outcome == DiscordOutcome.Success;

    /// <summary>A string property of the JSON object body (e.g. a created message's <c>id</c>), if there is one.</summary>
    public string? ReadString(string property)
    {
        if (string.IsNullOrEmpty(Body))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(Body);
            return DiscordJson.String(doc.RootElement, property);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Discord's own error text (<c>{"code":50001,"message":"Missing Access"}</c>), short and free of secrets.</summary>
    public static string DescribeError(HttpStatusCode status, string? body)
    {
        var text = $"HTTP {(int)status}";
        if (string.IsNullOrEmpty(body))
        {
            return text;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number)
                {
                    text += $" code {code.GetRawText()}";
                }

                if (doc.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    var m = message.GetString() ?? "";
                    text += $": {(m.Length > 200 ? m[..200] : m)}";
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's error page): the status alone says enough.
        }

        return text;
    }
}
