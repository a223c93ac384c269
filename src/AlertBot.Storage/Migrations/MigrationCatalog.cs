using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace AlertBot.Storage.Migrations;

/// <summary>One numbered schema script of one provider, e.g. <c>Migrations/Sqlite/0001_initial.sql</c>.</summary>
public sealed record MigrationScript(long Version, string Name, string Sql);

/// <summary>A migration already recorded in a database's <c>schema_migrations</c> table.</summary>
public sealed record AppliedMigration(long Version, string Name);

/// <summary>
/// The provider-neutral half of migrating: finding a provider's scripts among the embedded resources and deciding
/// which are pending. Each provider keeps its own scripts (its own SQL dialect) under <c>Migrations/{Provider}/</c>
/// and its own runner, which owns locking and transactions.
/// </summary>
public static partial class MigrationCatalog
{
    /// <summary>The scripts of one provider, in version order.</summary>
    public static IReadOnlyList<MigrationScript> Load(string provider)
    {
        var assembly = typeof(MigrationCatalog).Assembly;
        var prefix = $"Migrations.{provider}.";
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = resource[prefix.Length..];
            var match = ScriptName().Match(fileName);
            if (!match.Success)
            {
                throw new InvalidOperationException(
                    $"Migration script '{fileName}' must be named NNNN_name.sql (digits, underscore, lower-case name).");
            }

            scripts.Add(new MigrationScript(
                long.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                ReadResource(assembly, resource)));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < scripts.Count; i++)
        {
            if (scripts[i].Version == scripts[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"Two {provider} migration scripts share version {scripts[i].Version}: '{scripts[i - 1].Name}' and '{scripts[i].Name}'.");
            }
        }

        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"No {provider} migration scripts are embedded in {assembly.GetName().Name}.");
        }

        return scripts;
    }

    /// <summary>
    /// The scripts still to run, in order. A database that records a version this build does not know was migrated by
    /// newer code: running against it could corrupt data, so it is refused.
    /// </summary>
    /// <exception cref="StorageSchemaException">The database is newer than the code.</exception>
    public static IReadOnlyList<MigrationScript> Pending(IReadOnlyList<MigrationScript> known, IReadOnlyCollection<AppliedMigration> applied)
    {
        var newestKnown = known.Count == 0 ? 0 : known[^1].Version;
        var unknown = applied.Where(a => known.All(k => k.Version != a.Version)).OrderBy(a => a.Version).ToList();
        if (unknown.Count > 0)
        {
            var newest = unknown[^1];
            throw new StorageSchemaException(
                $"The database schema is at version {newest.Version} ('{newest.Name}') but this build of AlertBot knows versions up to " +
                $"{newestKnown}. It was written by a newer AlertBot: upgrade AlertBot or use another database.");
        }

        var done = applied.Select(a => a.Version).ToHashSet();
        return known.Where(k => !done.Contains(k.Version)).ToList();
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource '{resource}' cannot be opened.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(?<version>\d+)_(?<name>[a-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex ScriptName();
}
