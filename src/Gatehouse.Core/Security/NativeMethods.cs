using System.Runtime.InteropServices;

namespace Gatehouse.Core.Security;

/// <summary>
/// libsodium's Argon2id (the reference RFC 9106 implementation). Loaded from the Debian
/// package <c>libsodium23</c>; the exact soname keeps us off whatever <c>libsodium.so</c>
/// symlink a dev package might install.
/// </summary>
internal static partial class LibSodium
{
    private const string Library = "libsodium.so.23";

    /// <summary><c>crypto_pwhash_ALG_ARGON2ID13</c>: Argon2id, version 1.3 (v=19).</summary>
    public const int AlgArgon2Id13 = 2;

    /// <summary><c>crypto_pwhash_STRBYTES</c>: size of the PHC string buffer, including the NUL.</summary>
    public const int StrBytes = 128;

    /// <summary>Returns 0 on first initialisation, 1 if already initialised, -1 on failure.</summary>
    [LibraryImport(Library, EntryPoint = "sodium_init")]
    public static partial int SodiumInit();

    [LibraryImport(Library, EntryPoint = "crypto_pwhash_str_alg")]
    public static unsafe partial int PwHashStrAlg(
        byte* output, byte* password, ulong passwordLength, ulong opsLimit, nuint memLimit, int algorithm);

    /// <summary>0 when the password matches; -1 when it does not or the string is malformed.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_pwhash_str_verify")]
    public static unsafe partial int PwHashStrVerify(byte* hash, byte* password, ulong passwordLength);

    /// <summary>0 when the parameters match, 1 when they differ, -1 when the string is not Argon2.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_pwhash_str_needs_rehash")]
    public static unsafe partial int PwHashStrNeedsRehash(byte* hash, ulong opsLimit, nuint memLimit);
}

/// <summary>
/// libxcrypt (Debian's <c>libcrypt.so.1</c>), used only to verify imported bcrypt hashes.
/// </summary>
internal static partial class LibCrypt
{
    private const string Library = "libcrypt.so.1";

    /// <summary>
    /// <c>sizeof(struct crypt_data)</c> in libxcrypt 4.4 (measured on Debian 12: 32768 bytes).
    /// crypt_rn only needs at least this much; a larger buffer is fine.
    /// </summary>
    public const int CryptDataSize = 32768;

    /// <summary>
    /// Reentrant crypt: writes into <paramref name="data"/> and returns a pointer into it, or
    /// null on failure (unlike crypt_r it never returns the "*0" failure token).
    /// </summary>
    [LibraryImport(Library, EntryPoint = "crypt_rn")]
    public static unsafe partial byte* CryptRn(byte* phrase, byte* setting, void* data, int size);
}
