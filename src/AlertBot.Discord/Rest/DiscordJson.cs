using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlertBot.Discord.Rest;

internal static class DiscordJson
{
    /// <summary>Discord's wire names are snake_case; absent optional fields are left out rather than sent as null.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>A string property of an object, or null for anything else (missing, wrong kind, not an object).</summary>
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
