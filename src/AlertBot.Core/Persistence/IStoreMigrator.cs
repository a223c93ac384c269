namespace AlertBot.Core.Persistence;

/// <summary>
/// Brings the database schema to the newest version; the host calls it once before the first job runs.
/// One of the store's ports (each method is its own transaction unless it says otherwise; safe to call concurrently);
/// the configured database implements them all.
/// </summary>
public interface IStoreMigrator
{
    /// <summary>Brings the schema to the newest version (runs pending migrations in order). Idempotent.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);
}
