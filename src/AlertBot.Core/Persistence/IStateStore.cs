namespace AlertBot.Core.Persistence;

/// <summary>
/// Small named values that must survive a restart (update offsets, cursors).
/// One of the store's ports (each method is its own transaction unless it says otherwise; safe to call concurrently);
/// the configured database implements them all.
/// </summary>
public interface IStateStore
{
    Task<string?> GetStateAsync(string key, CancellationToken cancellationToken);

    Task SetStateAsync(string key, string value, CancellationToken cancellationToken);
}
