using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Security;

/// <summary>
/// Hashes new passwords with Argon2id (RFC 9106) through libargon2, in PHC string form
/// (<c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c>, the OWASP Password Storage Cheat Sheet
/// minimum). Also verifies hashes imported from other systems, always asking for a rehash:
/// bcrypt (<c>$2a$</c>, <c>$2b$</c>, <c>$2y$</c>, through libxcrypt) and ASP.NET Core Identity's
/// PBKDF2 formats V2 and V3 (base64).
/// </summary>
/// <remarks>
/// Passwords are hashed as their exact UTF-8 bytes: no normalisation and no truncation, so
/// imported hashes made from the raw bytes keep verifying. Every hash and verify waits its turn
/// for one of the <see cref="HashingThreads"/> (as many as <c>HashingConcurrency</c>), so a burst
/// of sign-ins cannot allocate <c>Argon2MemoryKiB</c> per request without bound; each thread
/// reuses one block of memory (<see cref="Argon2Memory"/>). Register as a singleton.
/// </remarks>
public sealed class Argon2idPasswordHasher : IPasswordHasher
{
    // Stored hashes carry their own costs, and a check spends whatever they claim: an imported or
    // hostile row far above today's parameters would make every attempt at that account pin a
    // hashing thread (a denial of service through the sign-in form). Costs above these bounds are
    // refused before any work; such a user resets the password. README, security notes.

    /// <summary>
    /// Identity V3 hashes carry their own iteration count. Identity itself uses 100,000
    /// (PBKDF2-HMAC-SHA512, .NET 7+); a million is above OWASP's recommendations for SHA-256
    /// (600,000) and SHA-512 (210,000).
    /// </summary>
    internal const uint MaxPbkdf2Iterations = 1_000_000;

    /// <summary>bcrypt's cost is log2 of its rounds: 14 is about a second of one core, four times the common 12.</summary>
    internal const int MaxBcryptCost = 14;

    /// <summary>No imported Argon2id hash may use more memory than this, unless the server is configured for more.</summary>
    internal const int MaxImportedArgon2MemoryKiB = 256 * 1024;

    /// <summary>
    /// OWASP's minimum (19 MiB, 2 passes): imported costs are bounded relative to today's
    /// parameters or these, whichever are higher, since only tests configure less.
    /// </summary>
    private const int OwaspMemoryKiB = 19 * 1024;
    private const int OwaspIterations = 2;

    // libsodium's sizes, so hashes look exactly like the ones it wrote before.
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly Argon2idParameters _parameters;
    private readonly int _maxMemoryKiB;
    private readonly long _maxWork;
    private readonly int _concurrency;
    private readonly SemaphoreSlim _dummyLock = new(1, 1);
    private string? _dummyHash;

    public Argon2idPasswordHasher(IOptions<PasswordOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        _parameters = new Argon2idParameters(value.Argon2MemoryKiB, value.Argon2Iterations, Parallelism: 1);
        // A stored Argon2id hash may use up to twice today's memory and twice today's work
        // (memory times passes), and never over 256 MiB unless today's memory is more.
        _maxMemoryKiB = Math.Max(value.Argon2MemoryKiB, Math.Min(MaxImportedArgon2MemoryKiB, 2 * Math.Max(value.Argon2MemoryKiB, OwaspMemoryKiB)));
        _maxWork = 2 * Math.Max((long)value.Argon2MemoryKiB * value.Argon2Iterations, (long)OwaspMemoryKiB * OwaspIterations);
        _concurrency = value.HashingConcurrency > 0 ? value.HashingConcurrency : Environment.ProcessorCount;
        Argon2Memory.AllowKeeping((long)value.Argon2MemoryKiB * 1024);
    }

    public async ValueTask<string> HashAsync(string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        return await RunGatedAsync(() => HashArgon2id(password), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<PasswordVerification> VerifyAsync(string? storedHash, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);

        if (storedHash is null)
        {
            // Unknown user or no password: spend the same Argon2id work as a real check so the
            // response time does not reveal which accounts exist (OWASP Authentication Cheat
            // Sheet, "authentication responses"), then fail whatever the result.
            var dummy = await GetDummyHashAsync(cancellationToken).ConfigureAwait(false);
            await RunGatedAsync(() => VerifyArgon2id(dummy, password), cancellationToken).ConfigureAwait(false);
            return PasswordVerification.Failed;
        }

        return await RunGatedAsync(() => VerifyStored(storedHash, password), cancellationToken).ConfigureAwait(false);
    }

    private PasswordVerification VerifyStored(string storedHash, string password)
    {
        if (storedHash.StartsWith("$argon2id$", StringComparison.Ordinal))
        {
            return VerifyArgon2id(storedHash, password);
        }

        if (storedHash.StartsWith("$2a$", StringComparison.Ordinal)
            || storedHash.StartsWith("$2b$", StringComparison.Ordinal)
            || storedHash.StartsWith("$2y$", StringComparison.Ordinal))
        {
            return VerifyBcrypt(storedHash, password) ? PasswordVerification.SuccessRehashNeeded : PasswordVerification.Failed;
        }

        return VerifyIdentity(storedHash, password) ? PasswordVerification.SuccessRehashNeeded : PasswordVerification.Failed;
    }

    // Argon2 is CPU- and memory-bound native code; it runs on the hashing threads, not on the
    // thread pool (whose threads it would hold for tens of milliseconds). Their queue is the
    // gate: a thread takes the next hash the moment it finishes one.
    private Task<T> RunGatedAsync<T>(Func<T> work, CancellationToken cancellationToken) =>
        HashingThreads.RunAsync(work, _concurrency, cancellationToken);

    private async ValueTask<string> GetDummyHashAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _dummyHash) is { } existing)
        {
            return existing;
        }

        await _dummyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_dummyHash is null)
            {
                // A random password nobody knows; only the parameters matter.
                var hash = await HashAsync(RandomNumberGenerator.GetHexString(32), cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _dummyHash, hash);
            }

            return _dummyHash!;
        }
        finally
        {
            _dummyLock.Release();
        }
    }

    private string HashArgon2id(string password)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        Span<byte> salt = stackalloc byte[SaltBytes];
        Span<byte> hash = stackalloc byte[HashBytes];
        RandomNumberGenerator.Fill(salt);
        try
        {
            var result = Argon2id.Derive(passwordBytes, salt, _parameters, hash);
            if (result != LibArgon2.Ok)
            {
                throw new InvalidOperationException(
                    $"Argon2id hashing failed ({Argon2id.Describe(result)}) with m={_parameters.MemoryKiB} KiB, t={_parameters.Iterations}. " +
                    "Either the process is out of memory (lower Gatehouse:Passwords:HashingConcurrency or Argon2MemoryKiB) " +
                    "or the parameters are outside libargon2's limits (see PasswordOptionsValidator).");
            }

            return Argon2idHashString.Format(_parameters, salt, hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    private PasswordVerification VerifyArgon2id(string storedHash, string password)
    {
        // Malformed, another version, or parameters this server will not spend: the password
        // cannot be shown to match.
        if (!Argon2idHashString.TryParse(storedHash, out var stored)
            || stored.Parameters.MemoryKiB > _maxMemoryKiB
            || (long)stored.Parameters.MemoryKiB * stored.Parameters.Iterations > _maxWork)
        {
            return PasswordVerification.Failed;
        }

        var passwordBytes = Encoding.UTF8.GetBytes(password);
        var computed = new byte[stored.Hash.Length];
        try
        {
            var result = Argon2id.Derive(passwordBytes, stored.Salt, stored.Parameters, computed);
            if (result != LibArgon2.Ok)
            {
                // The parameters were checked above, so this is the server failing (memory),
                // not a wrong password.
                throw new InvalidOperationException(
                    $"Argon2id verification failed ({Argon2id.Describe(result)}) with m={stored.Parameters.MemoryKiB} KiB, t={stored.Parameters.Iterations}, p={stored.Parameters.Parallelism}.");
            }

            if (!CryptographicOperations.FixedTimeEquals(computed, stored.Hash))
            {
                return PasswordVerification.Failed;
            }

            // Other costs or sizes than today's: a fresh hash with today's parameters is wanted.
            return stored.Parameters == _parameters && stored.Salt.Length == SaltBytes && stored.Hash.Length == HashBytes
                ? PasswordVerification.Success
                : PasswordVerification.SuccessRehashNeeded;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
            CryptographicOperations.ZeroMemory(computed);
        }
    }

    private static unsafe bool VerifyBcrypt(string storedHash, string password)
    {
        // crypt() takes a C string: a password with U+0000 would be cut at the NUL and match the
        // hash of its prefix. No legitimate bcrypt hash can be for such a password, so refuse.
        if (password.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        var settingBytes = ToNulTerminated(storedHash);
        if (settingBytes is null || !HasAffordableBcryptCost(storedHash))
        {
            return false;
        }

        // bcrypt itself only reads the first 72 bytes; that is the imported algorithm's limit,
        // and the rehash on success moves the account to Argon2id, which has none.
        var phrase = new byte[Encoding.UTF8.GetByteCount(password) + 1];
        Encoding.UTF8.GetBytes(password, phrase);
        var data = NativeMemory.AllocZeroed(LibCrypt.CryptDataSize);
        try
        {
            fixed (byte* pPhrase = phrase)
            fixed (byte* pSetting = settingBytes)
            {
                var result = LibCrypt.CryptRn(pPhrase, pSetting, data, LibCrypt.CryptDataSize);
                if (result is null)
                {
                    return false;
                }

                var computed = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(result);
                var expected = settingBytes.AsSpan(0, settingBytes.Length - 1);
                return CryptographicOperations.FixedTimeEquals(computed, expected);
            }
        }
        finally
        {
            // crypt_data keeps a copy of the phrase and the key schedule.
            NativeMemory.Clear(data, LibCrypt.CryptDataSize);
            NativeMemory.Free(data);
            CryptographicOperations.ZeroMemory(phrase);
        }
    }

    /// <summary>
    /// ASP.NET Core Identity's <c>PasswordHasher&lt;TUser&gt;</c> formats, base64-encoded:
    /// V2 = 0x00 | salt(16) | subkey(32), PBKDF2-HMAC-SHA1 with 1000 iterations;
    /// V3 = 0x01 | prf | iterations | saltLength (big-endian uint32) | salt | subkey.
    /// </summary>
    private static bool VerifyIdentity(string storedHash, string password)
    {
        var buffer = new byte[(storedHash.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(storedHash, buffer, out var length) || length == 0)
        {
            return false;
        }

        var decoded = buffer.AsSpan(0, length);
        return decoded[0] switch
        {
            0x00 => VerifyIdentityV2(decoded, password),
            0x01 => VerifyIdentityV3(decoded, password),
            _ => false,
        };
    }

    private static bool VerifyIdentityV2(ReadOnlySpan<byte> decoded, string password)
    {
        const int SaltSize = 16;
        const int SubkeySize = 32;
        if (decoded.Length != 1 + SaltSize + SubkeySize)
        {
            return false;
        }

        var salt = decoded.Slice(1, SaltSize);
        var expected = decoded.Slice(1 + SaltSize, SubkeySize);
        return Pbkdf2Matches(password, salt, 1000, HashAlgorithmName.SHA1, expected);
    }

    private static bool VerifyIdentityV3(ReadOnlySpan<byte> decoded, string password)
    {
        const int HeaderSize = 13;
        if (decoded.Length < HeaderSize)
        {
            return false;
        }

        var prf = BinaryPrimitives.ReadUInt32BigEndian(decoded[1..]);
        var iterations = BinaryPrimitives.ReadUInt32BigEndian(decoded[5..]);
        var saltLength = BinaryPrimitives.ReadUInt32BigEndian(decoded[9..]);

        HashAlgorithmName? algorithm = prf switch
        {
            0 => HashAlgorithmName.SHA1,
            1 => HashAlgorithmName.SHA256,
            2 => HashAlgorithmName.SHA512,
            _ => null,
        };

        // Same minimums as Identity (128-bit salt and subkey), plus the iteration cap above.
        if (algorithm is null || iterations == 0 || iterations > MaxPbkdf2Iterations
            || saltLength < 16 || saltLength > (uint)(decoded.Length - HeaderSize))
        {
            return false;
        }

        var salt = decoded.Slice(HeaderSize, (int)saltLength);
        var expected = decoded[(HeaderSize + (int)saltLength)..];
        if (expected.Length < 16)
        {
            return false;
        }

        return Pbkdf2Matches(password, salt, (int)iterations, algorithm.Value, expected);
    }

    private static bool Pbkdf2Matches(
        string password, ReadOnlySpan<byte> salt, int iterations, HashAlgorithmName algorithm, ReadOnlySpan<byte> expected)
    {
        // Identity's KeyDerivation.Pbkdf2 encodes with Encoding.UTF8 (lone surrogates become
        // U+FFFD); doing the same keeps such passwords verifiable instead of throwing.
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        var actual = Rfc2898DeriveBytes.Pbkdf2(passwordBytes, salt, iterations, algorithm, expected.Length);
        try
        {
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
            CryptographicOperations.ZeroMemory(actual);
        }
    }

    /// <summary>The two-digit cost after <c>$2b$</c> is at most <see cref="MaxBcryptCost"/>.</summary>
    private static bool HasAffordableBcryptCost(string storedHash) =>
        storedHash.Length > 7 && char.IsAsciiDigit(storedHash[4]) && char.IsAsciiDigit(storedHash[5]) && storedHash[6] == '$'
        && (storedHash[4] - '0') * 10 + (storedHash[5] - '0') <= MaxBcryptCost;

    /// <summary>The ASCII bytes of a stored hash plus a NUL, or null if it cannot be a C string.</summary>
    private static byte[]? ToNulTerminated(string storedHash)
    {
        foreach (var c in storedHash)
        {
            if (c is '\0' or > '\x7f')
            {
                return null;
            }
        }

        var bytes = new byte[storedHash.Length + 1];
        Encoding.ASCII.GetBytes(storedHash, bytes);
        return bytes;
    }
}
