
namespace AlertBot.Storage;

/// <summary><see cref="AlertBot.Core.Persistence.IStateStore"/>: small named values.</summary>
public abstract partial class DapperAlertStore
{
    // ---- Small persistent state --------------------------------------------------------------------------------

    public async Task<string?> GetStateAsync(string key, CancellationToken cancellationToken) =>
        (await QueryAsync<string>("SELECT value FROM state WHERE key = @Key", new { Key = key }, cancellationToken)).SingleOrDefault();

    public Task SetStateAsync(string key, string value, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO state (key, value) VALUES (@Key, @Value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            new { Key = key, Value = value },
            cancellationToken);
}
