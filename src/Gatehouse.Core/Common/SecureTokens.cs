using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Core.Common;

/// <summary>Random bearer values and their stored hashes.</summary>
public static class SecureTokens
{
    /// <summary>A new 256-bit random value, base64url without padding (43 characters).</summary>
    public static string New(int bytes = 32)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        RandomBlocks.Fill(buffer);
        var token = Base64Url.EncodeToString(buffer);
        CryptographicOperations.ZeroMemory(buffer);
        return token;
    }

    /// <summary>
    /// The SHA-256 of a token, lower-case hex. Tokens are 256-bit random values, so a fast
    /// unsalted hash is enough to make the stored value useless to a reader of the database
    /// (ASVS 5.0 V7.2: session tokens stored as hashes).
    /// </summary>
    public static string Hash(string token)
    {
        Span<byte> hash = stackalloc byte[32];
        var length = Encoding.UTF8.GetByteCount(token);
        Span<byte> utf8 = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(token, utf8);
        SHA256.HashData(utf8, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Constant-time comparison of two strings (CWE-208).</summary>
    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    /// <summary>A new opaque identifier with a readable prefix, e.g. <c>usr_…</c>.</summary>
    public static string NewId(string prefix) => prefix + "_" + New(16);

    /// <summary>
    /// The system's CSPRNG (<see cref="RandomNumberGenerator"/>, OpenSSL's DRBG on Linux), drawn
    /// a block at a time per thread. Each call into it has a fixed cost far above that of the
    /// bytes (a system call for fork detection, the DRBG's lock; about 8 µs on the benchmark
    /// machine, two calls per refresh), so small requests are served from a per-thread block
    /// of its output. Every byte is handed out once and zeroed as it leaves the block.
    /// </summary>
    internal static class RandomBlocks
    {
        private const int BlockSize = 1024;
        private const int LargestServed = 64;

        [ThreadStatic]
        private static byte[]? t_block;

        [ThreadStatic]
        private static int t_remaining;

        public static void Fill(Span<byte> destination)
        {
            if (destination.Length > LargestServed)
            {
                RandomNumberGenerator.Fill(destination);
                return;
            }
            var block = t_block ??= new byte[BlockSize];
            if (t_remaining < destination.Length)
            {
                RandomNumberGenerator.Fill(block);
                t_remaining = BlockSize;
            }
            var taken = block.AsSpan(BlockSize - t_remaining, destination.Length);
            taken.CopyTo(destination);
            CryptographicOperations.ZeroMemory(taken);
            t_remaining -= destination.Length;
        }
    }
}
