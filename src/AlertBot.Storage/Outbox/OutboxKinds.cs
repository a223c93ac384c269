using AlertBot.Core.Alerts;
using AlertBot.Core.Digests;

namespace AlertBot.Storage.Outbox;

/// <summary>
/// The text every provider stores for an outbox row's kind and a channel's digest mode. Names, not numbers, so a
/// reordered enum cannot change rows already written. 'held' (waiting for a digest) is a storage state only.
/// </summary>
public static class OutboxKinds
{
    public const string Held = "held";

    public static string ToText(OutboxKind kind) => kind switch
    {
        OutboxKind.Alert => "alert",
        OutboxKind.Update => "update",
        OutboxKind.Digest => "digest",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown outbox kind."),
    };

    /// <summary>A held row is claimed only after it was closed into a digest, so it reads as an alert.</summary>
    public static OutboxKind FromText(string text) => text switch
    {
        "update" => OutboxKind.Update,
        "digest" => OutboxKind.Digest,
        _ => OutboxKind.Alert,
    };

    public static string ToText(DigestMode mode) => mode switch
    {
        DigestMode.Off => "off",
        DigestMode.Hourly => "hourly",
        DigestMode.Daily => "daily",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown digest mode."),
    };

    public static DigestMode DigestFromText(string text) => text switch
    {
        "hourly" => DigestMode.Hourly,
        "daily" => DigestMode.Daily,
        _ => DigestMode.Off,
    };
}
