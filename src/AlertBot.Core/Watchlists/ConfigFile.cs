using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlertBot.Core.Watchlists;

/// <summary>
/// Reads the operator-edited JSON files under config/: comments and trailing commas allowed, unknown keys refused
/// (a misspelt "alises" must not silently drop every alias), and every fault reported with the file's path.
/// </summary>
internal static class ConfigFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON of the expected shape.</exception>
    public static T Read<T>(string path)
        where T : class
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found.", path);
        }

        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<T>(stream, Options) ?? throw Fault(path, "the file holds null.");
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, {ex.Path})" : "";
            throw new InvalidDataException($"{path}: not valid{where}: {ex.Message}", ex);
        }
    }

    public static InvalidDataException Fault(string path, string fault) => new($"{path}: {fault}");
}
