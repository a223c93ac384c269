using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using AlertBot.Core.Summaries;

namespace AlertBot.Storage.Outbox;

/// <summary>
/// The outbox payload format, shared by every provider. Enums are written as names so a reordered enum cannot
/// change the meaning of rows already queued.
/// </summary>
public static class AlertMessageJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        // The payload is never embedded in HTML; keeping non-ASCII text readable makes the database inspectable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(AlertMessage message) => JsonSerializer.Serialize(message, Options);

    public static AlertMessage Deserialize(string json) =>
        JsonSerializer.Deserialize<AlertMessage>(json, Options)
        ?? throw new JsonException("The outbox payload is the JSON literal null, not an alert message.");
}
