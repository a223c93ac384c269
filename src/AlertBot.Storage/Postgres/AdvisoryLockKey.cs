using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AlertBot.Storage.Postgres;

/// <summary>
/// The 64-bit key of a named PostgreSQL advisory lock. Computed in code from a prefixed SHA-256 rather than with
/// PostgreSQL's hashtext, whose result is not promised to stay the same across server versions: two instances on
/// different builds or servers must agree on the key.
/// </summary>
internal static class AdvisoryLockKey
{
    public static long For(string name) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("alertbot:" + name)));
}
