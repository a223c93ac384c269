using AlertBot.Core.Alerts;
using AlertBot.Core.Digests;

namespace AlertBot.Storage.Outbox;

/// <summary>
/// The text every provider stores for an outbox row's kind and a channel's digest mode. Names, not numbers, so a
/// reordered enum cannot change rows already written. 'held' (waiting for a digest) is a storage state only.
/// Each mapping is one table, read both ways, so a value added to an enum is either in it or refused on write.
/// </summary>
public static class OutboxKinds
{
    public const string Held = "held";

    private static readonly StoredNames<OutboxKind> Kinds = new()
    {
        [OutboxKind.Alert] = "alert",
        [OutboxKind.Update] = "update",
        [OutboxKind.Digest] = "digest",
    };

    private static readonly StoredNames<DigestMode> DigestModes = new()
    {
        [DigestMode.Off] = "off",
        [DigestMode.Hourly] = "hourly",
        [DigestMode.Daily] = "daily",
    };

    public static string ToText(OutboxKind kind) => Kinds[kind];

    /// <summary>A held row is claimed only after it was closed into a digest, so it reads as an alert.</summary>
    public static OutboxKind FromText(string text) => Kinds.ValueOr(text, OutboxKind.Alert);

    public static string ToText(DigestMode mode) => DigestModes[mode];

    public static DigestMode DigestFromText(string text) => DigestModes.ValueOr(text, DigestMode.Off);

    /// <summary>An enum's stored names, one table read both ways; filled once, by its initializer, then only read.</summary>
    private sealed class StoredNames<TEnum>
        where TEnum : struct, Enum
    {
        private readonly Dictionary<TEnum, string> _names = [];
        private readonly Dictionary<string, TEnum> _values = new(StringComparer.Ordinal);

        public string this[TEnum member]
        {
            get => _names.TryGetValue(member, out var name)
                ? name
                : throw new ArgumentOutOfRangeException(nameof(member), member, $"No stored name for {typeof(TEnum).Name} {member}.");
            init
            {
                _names.Add(member, value);
                _values.Add(value, member);
            }
        }

        public TEnum ValueOr(string name, TEnum fallback) => _values.GetValueOrDefault(name, fallback);
    }
}
