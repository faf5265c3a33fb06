using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Core.Common;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Sessions;

/// <summary>
/// Seals the successor of a rotated refresh token, so that a replay of the consumed token within
/// the reuse grace gets that same successor back instead of a second chain (RFC 9700 section
/// 4.14), and nothing once the grace is over.
/// <para>
/// AES-256-GCM under keys that exist only in this process's memory: one per period of the
/// grace's length, drawn when the period starts and forgotten when the period after it ends.
/// A sealed value therefore opens for at least the grace and at most twice the grace, and then
/// never again, wherever its row is: the expiry is the key's, so no write has to wipe the
/// column, and a copy of the database (Data Protection's key ring included) reveals nothing.
/// Another instance, or this one after a restart, cannot open it either; that replay is then
/// refused with the session intact, which RFC 9700 allows. The consumed token's hash is the
/// associated data: a sealed value opens only for the row it was sealed for.
/// </para>
/// <para>
/// Why not <see cref="ISecretProtector"/> (Data Protection): it cost about ten times as much per
/// rotation (docs/architecture.md has the numbers), and its values stay readable as long as the
/// key ring, so every sealed successor would need a second write to wipe it after the grace.
/// </para>
/// </summary>
public sealed class SuccessorVault(TimeProvider time, IOptions<TokenOptions> options)
{
    private const byte Version = 1;
    private const int HeaderSize = 1 + sizeof(long);
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Lock _lock = new();
    private volatile Keys? _keys;

    // AesGcm keeps an OpenSSL context per instance and is not safe to share between threads:
    // each thread seals with its own, made once per period.
    private readonly ThreadLocal<Sealer?> _sealers = new();

    /// <summary>The successor of the token with <paramref name="consumedHash"/>, sealed (about 100 characters).</summary>
    public string Seal(string successor, string consumedHash)
    {
        var sealer = _sealers.Value;
        var period = KeysAt(time.GetUtcNow()).Current;
        while (sealer is null || sealer.Period != period)
        {
            sealer?.Cipher.Dispose();
            sealer = null;
            // Null when the period was dropped meanwhile (this thread stalled a whole period): take the next.
            if (period.NewCipher() is { } cipher)
            {
                sealer = new Sealer(period, cipher);
                _sealers.Value = sealer;
            }
            else
            {
                period = KeysAt(time.GetUtcNow()).Current;
            }
        }
        var plaintextLength = Encoding.UTF8.GetByteCount(successor);
        Span<byte> sealedBytes = stackalloc byte[HeaderSize + NonceSize + plaintextLength + TagSize];
        var header = sealedBytes[..HeaderSize];
        header[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(header[1..], period.Number);
        // A counter never repeats under one key (a random nonce would cost a call into the CSPRNG).
        var nonce = sealedBytes.Slice(HeaderSize, NonceSize);
        nonce.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(nonce, Interlocked.Increment(ref period.Sealed));
        var ciphertext = sealedBytes.Slice(HeaderSize + NonceSize, plaintextLength);
        Span<byte> plaintext = stackalloc byte[plaintextLength];
        Encoding.UTF8.GetBytes(successor, plaintext);
        Span<byte> associatedData = stackalloc byte[AssociatedDataLength(consumedHash)];
        WriteAssociatedData(header, consumedHash, associatedData);
        sealer.Cipher.Encrypt(nonce, plaintext, ciphertext, sealedBytes[^TagSize..], associatedData);
        CryptographicOperations.ZeroMemory(plaintext);
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>
    /// The successor sealed for the token with <paramref name="consumedHash"/>, or null when its
    /// key is gone (its period and the next are over, or another process sealed it) or the value
    /// is not one this vault sealed for that token.
    /// </summary>
    public string? Open(string sealedValue, string consumedHash)
    {
        if (sealedValue.Length > 1024 || !Base64Url.IsValid(sealedValue, out var length) || length < HeaderSize + NonceSize + TagSize)
        {
            return null;
        }
        var sealedBytes = Base64Url.DecodeFromChars(sealedValue);
        var header = sealedBytes.AsSpan(0, HeaderSize);
        var keys = KeysAt(time.GetUtcNow());
        var number = BinaryPrimitives.ReadInt64LittleEndian(header[1..]);
        var period = keys.Current.Number == number ? keys.Current : keys.Previous?.Number == number ? keys.Previous : null;
        if (header[0] != Version || period is null)
        {
            return null;
        }
        var plaintext = new byte[sealedBytes.Length - HeaderSize - NonceSize - TagSize];
        var associatedData = new byte[AssociatedDataLength(consumedHash)];
        WriteAssociatedData(header, consumedHash, associatedData);
        try
        {
            // Rare (only replays within the grace): a cipher of its own rather than a shared one.
            using var cipher = period.NewCipher();
            if (cipher is null)
            {
                return null;
            }
            cipher.Decrypt(sealedBytes.AsSpan(HeaderSize, NonceSize), sealedBytes.AsSpan(HeaderSize + NonceSize, plaintext.Length),
                sealedBytes.AsSpan(sealedBytes.Length - TagSize), plaintext, associatedData);
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (CryptographicException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The header (version, period) and the consumed token's hash: what a sealed value is bound to.</summary>
    private static int AssociatedDataLength(string consumedHash) => HeaderSize + Encoding.UTF8.GetByteCount(consumedHash);

    private static void WriteAssociatedData(ReadOnlySpan<byte> header, string consumedHash, Span<byte> destination)
    {
        header.CopyTo(destination);
        Encoding.UTF8.GetBytes(consumedHash, destination[HeaderSize..]);
    }

    /// <summary>The keys of the period <paramref name="now"/> falls in and of the one before it; older keys are dropped.</summary>
    private Keys KeysAt(DateTimeOffset now)
    {
        var number = now.UtcTicks / PeriodTicks;
        var keys = _keys;
        // A clock that steps back keeps the keys it has: they expire when it catches up.
        if (keys is not null && keys.Current.Number >= number)
        {
            return keys;
        }
        lock (_lock)
        {
            keys = _keys;
            if (keys is not null && keys.Current.Number >= number)
            {
                return keys;
            }
            var previous = keys?.Current.Number == number - 1 ? keys.Current : null;
            keys?.Previous?.Drop();
            if (previous is null)
            {
                keys?.Current.Drop();
            }
            keys = new Keys(new Period(number, RandomNumberGenerator.GetBytes(32)), previous);
            _keys = keys;
            return keys;
        }
    }

    /// <summary>The grace, at least a second (a period of zero length would have no key).</summary>
    private long PeriodTicks => Math.Max(options.Value.RefreshReuseGrace.Ticks, TimeSpan.TicksPerSecond);

    private sealed class Period(long number, byte[] key)
    {
        private readonly Lock _lock = new();
        private bool _dropped;

        public long Number { get; } = number;

        /// <summary>How many values were sealed under this key (the next nonce).</summary>
        public long Sealed;

        /// <summary>A cipher over this period's key; null once the key is dropped.</summary>
        public AesGcm? NewCipher()
        {
            lock (_lock)
            {
                return _dropped ? null : new AesGcm(key, TagSize);
            }
        }

        /// <summary>Forgets the key (the ciphers made from it keep their own copy until disposed).</summary>
        public void Drop()
        {
            lock (_lock)
            {
                _dropped = true;
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    private sealed record Keys(Period Current, Period? Previous);

    private sealed record Sealer(Period Period, AesGcm Cipher);
}
