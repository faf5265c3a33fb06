using System.Runtime.InteropServices;

namespace Gatehouse.Core.Security;

/// <summary>
/// The Argon2 reference implementation (RFC 9106's authors' <c>libargon2</c>), loaded from the
/// Debian package <c>libargon2-1</c> by its exact soname. Called through <c>argon2id_ctx</c> so
/// that Gatehouse supplies the working memory (<see cref="Argon2Memory"/>) instead of the
/// library allocating and releasing it for every hash.
/// </summary>
internal static unsafe partial class LibArgon2
{
    private const string Library = "libargon2.so.1";

    /// <summary><c>ARGON2_VERSION_13</c>: version 1.3, written <c>v=19</c> in PHC strings.</summary>
    public const uint Version13 = 0x13;

    /// <summary><c>ARGON2_OK</c>.</summary>
    public const int Ok = 0;

    /// <summary><c>argon2_context</c> from <c>argon2.h</c>, field for field.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Context
    {
        public byte* Out;
        public uint OutLength;
        public byte* Password;
        public uint PasswordLength;
        public byte* Salt;
        public uint SaltLength;
        public byte* Secret;
        public uint SecretLength;
        public byte* AssociatedData;
        public uint AssociatedDataLength;
        public uint TimeCost;
        public uint MemoryCostKiB;
        public uint Lanes;
        public uint Threads;
        public uint Version;

        /// <summary><c>int (*)(uint8_t **memory, size_t bytes)</c>; the library checks the pointer, not the result.</summary>
        public delegate* unmanaged<byte**, nuint, int> Allocate;

        /// <summary><c>void (*)(uint8_t *memory, size_t bytes)</c>, called after the library has wiped the memory.</summary>
        public delegate* unmanaged<byte*, nuint, void> Free;

        public uint Flags;
    }

    /// <summary>Runs Argon2id over <paramref name="context"/>; returns <see cref="Ok"/> or a negative <c>argon2_error_codes</c> value.</summary>
    [LibraryImport(Library, EntryPoint = "argon2id_ctx")]
    public static partial int Argon2idContext(Context* context);

    /// <summary>The library's static description of an error code.</summary>
    [LibraryImport(Library, EntryPoint = "argon2_error_message")]
    public static partial byte* ErrorMessage(int code);
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

/// <summary>
/// The C library's memory mapping, for Argon2's working memory: a block mapped on its own goes
/// back to the kernel when it is unmapped (a 19 MiB block from <c>malloc</c> can stay in an
/// arena and in the RSS), and it can be aligned and marked for transparent huge pages.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc.so.6";

    public const int ProtRead = 0x1;
    public const int ProtWrite = 0x2;
    public const int MapPrivate = 0x02;
    public const int MapAnonymous = 0x20;
    public const int MadviseHugePage = 14;

    /// <summary><c>MAP_FAILED</c>.</summary>
    public static readonly void* MapFailed = (void*)-1;

    [LibraryImport(Library, EntryPoint = "mmap")]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Library, EntryPoint = "munmap")]
    public static partial int Munmap(void* address, nuint length);

    [LibraryImport(Library, EntryPoint = "madvise")]
    public static partial int Madvise(void* address, nuint length, int advice);
}
