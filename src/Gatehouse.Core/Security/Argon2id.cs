using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Gatehouse.Core.Security;

/// <summary>Argon2id version 1.3 (RFC 9106) through libargon2, with memory from <see cref="Argon2Memory"/>.</summary>
internal static class Argon2id
{
    /// <summary><c>ARGON2_MEMORY_ALLOCATION_ERROR</c>.</summary>
    public const int MemoryAllocationError = -22;

    /// <summary>
    /// Derives <paramref name="output"/>.Length bytes from the password and salt. Returns
    /// <see cref="LibArgon2.Ok"/> or libargon2's (negative) error code; see <see cref="Describe"/>.
    /// </summary>
    public static unsafe int Derive(
        ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, Argon2idParameters parameters, Span<byte> output)
    {
        fixed (byte* pPassword = password)
        fixed (byte* pSalt = salt)
        fixed (byte* pOutput = output)
        {
            var context = new LibArgon2.Context
            {
                Out = pOutput,
                OutLength = (uint)output.Length,
                Password = pPassword,
                PasswordLength = (uint)password.Length,
                Salt = pSalt,
                SaltLength = (uint)salt.Length,
                TimeCost = (uint)parameters.Iterations,
                MemoryCostKiB = (uint)parameters.MemoryKiB,
                Lanes = (uint)parameters.Parallelism,
                // The lanes run one after another on the calling thread: the hashing threads
                // already keep every core busy, and the kept block belongs to one thread.
                Threads = 1,
                Version = LibArgon2.Version13,
                Allocate = Argon2Memory.AllocateCallback,
                Free = Argon2Memory.FreeCallback,
            };
            return LibArgon2.Argon2idContext(&context);
        }
    }

    /// <summary>libargon2's description of an error code.</summary>
    public static unsafe string Describe(int code) =>
        Marshal.PtrToStringUTF8((nint)LibArgon2.ErrorMessage(code)) ?? $"error {code}";
}

/// <summary>Argon2id's cost parameters: memory in KiB, passes, and lanes.</summary>
internal readonly record struct Argon2idParameters(int MemoryKiB, int Iterations, int Parallelism)
{
    /// <summary>
    /// Memory per hash is KiB * 1024 bytes; keeping that inside an int (just under 2 GiB) means
    /// it cannot overflow anywhere it is computed.
    /// </summary>
    public const int MaxMemoryKiB = int.MaxValue / 1024;

    /// <summary>
    /// Far above any honest setting (OWASP's lowest-memory option is t = 5); a corrupt or hostile
    /// row claiming millions of passes would otherwise pin a core for hours.
    /// </summary>
    public const int MaxIterations = 1000;

    /// <summary>Other systems' hashes use up to a few lanes; each lane needs at least 8 KiB.</summary>
    public const int MaxParallelism = 64;

    public bool AreWithinLimits =>
        Parallelism is >= 1 and <= MaxParallelism
        && Iterations is >= 1 and <= MaxIterations
        && MemoryKiB >= 8 * Parallelism && MemoryKiB <= MaxMemoryKiB;
}

/// <summary>
/// An Argon2id hash in PHC string form, as libsodium and libargon2 write it:
/// <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c>, salt and hash in unpadded
/// standard base64.
/// </summary>
internal sealed class Argon2idHashString
{
    private const string Prefix = "$argon2id$v=19$";
    private const int MinSaltBytes = 8;
    private const int MaxSaltBytes = 64;
    private const int MinHashBytes = 4;
    private const int MaxHashBytes = 64;

    private Argon2idHashString(Argon2idParameters parameters, byte[] salt, byte[] hash)
    {
        Parameters = parameters;
        Salt = salt;
        Hash = hash;
    }

    public Argon2idParameters Parameters { get; }

    public byte[] Salt { get; }

    public byte[] Hash { get; }

    public static string Format(Argon2idParameters parameters, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> hash)
    {
        var text = new StringBuilder(Prefix.Length + 32 + ((salt.Length + hash.Length) * 4 / 3) + 4);
        text.Append(Prefix)
            .Append(CultureInfo.InvariantCulture, $"m={parameters.MemoryKiB},t={parameters.Iterations},p={parameters.Parallelism}$")
            .Append(Convert.ToBase64String(salt).TrimEnd('='))
            .Append('$')
            .Append(Convert.ToBase64String(hash).TrimEnd('='));
        return text.ToString();
    }

    /// <summary>
    /// Reads a stored hash. False for anything that is not a version 1.3 Argon2id string with
    /// parameters, salt and hash inside the limits this server will compute.
    /// </summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out Argon2idHashString? result)
    {
        result = null;
        if (!value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = value[Prefix.Length..].Split('$');
        if (parts.Length != 3)
        {
            return false;
        }

        var costs = parts[0].Split(',');
        if (costs.Length != 3
            || !TryReadCost(costs[0], "m=", out var memory)
            || !TryReadCost(costs[1], "t=", out var iterations)
            || !TryReadCost(costs[2], "p=", out var parallelism))
        {
            return false;
        }

        var parameters = new Argon2idParameters(memory, iterations, parallelism);
        if (!parameters.AreWithinLimits
            || !TryReadBase64(parts[1], MinSaltBytes, MaxSaltBytes, out var salt)
            || !TryReadBase64(parts[2], MinHashBytes, MaxHashBytes, out var hash))
        {
            return false;
        }

        result = new Argon2idHashString(parameters, salt, hash);
        return true;
    }

    private static bool TryReadCost(string text, string name, out int value)
    {
        value = 0;
        return text.StartsWith(name, StringComparison.Ordinal)
            && text.Length - name.Length is >= 1 and <= 10
            && int.TryParse(text.AsSpan(name.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryReadBase64(string text, int minBytes, int maxBytes, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        // Unpadded standard base64: a length of 1 modulo 4 cannot end one, and padding or
        // whitespace (which Convert would skip) is not part of the form.
        if (text.Length % 4 == 1 || text.Length > (maxBytes + 2) / 3 * 4
            || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
        {
            return false;
        }

        var padded = (text.Length % 4) switch
        {
            2 => text + "==",
            3 => text + "=",
            _ => text,
        };
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var length) || length < minBytes || length > maxBytes)
        {
            return false;
        }

        bytes = buffer[..length];
        return true;
    }
}
