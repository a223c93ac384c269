using System.Collections;
using Microsoft.Extensions.Configuration;

namespace AlertBot.Worker.Hosting;

/// <summary>
/// Secrets from files (Docker and Kubernetes secrets): an environment variable <c>AlertBot__Telegram__Token_FILE=/run/secrets/tg</c>
/// sets <c>AlertBot:Telegram:Token</c> to the file's content, trimmed. The well-known short names
/// <c>TELEGRAM_BOT_TOKEN</c> and <c>DISCORD_BOT_TOKEN</c> (and their <c>_FILE</c> forms) are accepted too.
/// </summary>
public static class SecretFiles
{
    internal static readonly IReadOnlyDictionary<string, string> ShortNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["TELEGRAM_BOT_TOKEN"] = "AlertBot:Telegram:Token",
        ["DISCORD_BOT_TOKEN"] = "AlertBot:Discord:BotToken",
    };

    /// <summary>Adds the secrets found in <paramref name="environment"/> (the process environment when null).</summary>
    public static IConfigurationBuilder AddSecretFiles(this IConfigurationBuilder builder, IDictionary? environment = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment ?? Environment.GetEnvironmentVariables())
        {
            if (entry.Key is not string name || entry.Value is not string value || value.Length == 0)
            {
                continue;
            }

            var isFile = name.EndsWith("_FILE", StringComparison.Ordinal);
            var baseName = isFile ? name[..^"_FILE".Length] : name;
            string? key = ShortNames.TryGetValue(baseName, out var mapped) ? mapped
                : isFile && baseName.Contains("__", StringComparison.Ordinal) ? baseName.Replace("__", ":", StringComparison.Ordinal)
                : null;
            if (key is null)
            {
                continue;
            }

            values[key] = isFile ? ReadSecret(name, value) : value;
        }

        return builder.AddInMemoryCollection(values);
    }

    private static string ReadSecret(string variable, string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Name the variable and the path, never the content.
            throw new InvalidOperationException($"{variable} names '{path}', which cannot be read: {ex.Message}", ex);
        }
    }
}
