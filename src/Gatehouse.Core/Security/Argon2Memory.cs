using System.Runtime.InteropServices;

namespace Gatehouse.Core.Security;

/// <summary>
/// Working memory for libargon2 (its <c>allocate_cbk</c> and <c>free_cbk</c>). A thread that
/// hashes all day (<see cref="HashingThreads"/>) keeps one block and reuses it for every hash.
/// Asking the kernel for 19 MiB per hash and handing it back cost the hashing threads about a
/// fifth of their time: fresh pages are zeroed and mapped one by one, and unmapping them
/// interrupts every core that runs one of the process's threads.
/// </summary>
/// <remarks>
/// <para>
/// libargon2 wipes the memory before it calls <see cref="Free"/>, so a kept block holds zeros
/// between hashes, never anything derived from a password. Only requests no larger than
/// <see cref="KeepLimit"/> (the largest configured Argon2 memory) use the kept block; a stored
/// hash with larger parameters gets memory of its own, unmapped as soon as it is done.
/// </para>
/// <para>
/// Blocks are mapped directly, not taken from <c>malloc</c>, so a freed block leaves the RSS at
/// once. A kept block starts on a 2 MiB boundary and asks for transparent huge pages: Argon2
/// reads its memory at random, and with 4 KiB pages a 19 MiB block needs more TLB entries than
/// the core has (about 9 % more hashes per second on the benchmark machine). Where the kernel
/// does not offer huge pages the advice is ignored.
/// </para>
/// </remarks>
internal static unsafe class Argon2Memory
{
    private const nuint HugePage = 2 * 1024 * 1024;

    [ThreadStatic]
    private static bool _keepsBlock;

    [ThreadStatic]
    private static byte* _block;

    [ThreadStatic]
    private static nuint _blockBytes;

    [ThreadStatic]
    private static byte* _mapping;

    [ThreadStatic]
    private static nuint _mappingBytes;

    private static long _keepLimit;
    private static long _keptBytes;

    /// <summary>The callbacks to put in <see cref="LibArgon2.Context"/>.</summary>
    public static delegate* unmanaged<byte**, nuint, int> AllocateCallback => &Allocate;

    /// <inheritdoc cref="AllocateCallback"/>
    public static delegate* unmanaged<byte*, nuint, void> FreeCallback => &Free;

    /// <summary>Bytes held in kept blocks across all threads.</summary>
    public static long KeptBytes => Interlocked.Read(ref _keptBytes);

    /// <summary>The largest request a kept block serves; raised by each hasher to its configured memory.</summary>
    public static long KeepLimit => Interlocked.Read(ref _keepLimit);

    /// <summary>Raises <see cref="KeepLimit"/> to at least <paramref name="bytes"/>.</summary>
    public static void AllowKeeping(long bytes)
    {
        var current = Interlocked.Read(ref _keepLimit);
        while (bytes > current)
        {
            var seen = Interlocked.CompareExchange(ref _keepLimit, bytes, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    /// <summary>Whether the calling thread keeps its block between hashes from now on (hashing threads do).</summary>
    public static void KeepBlocksOnThisThread(bool keep) => _keepsBlock = keep;

    /// <summary>Unmaps the calling thread's kept block, if it has one (an idle hashing thread).</summary>
    public static void ReleaseThisThread()
    {
        if (_block is null)
        {
            return;
        }

        _ = LibC.Munmap(_mapping, _mappingBytes);
        Interlocked.Add(ref _keptBytes, -(long)_blockBytes);
        _block = null;
        _blockBytes = 0;
        _mapping = null;
        _mappingBytes = 0;
    }

    /// <summary>The calling thread's kept block, for tests: empty when it keeps none.</summary>
    internal static ReadOnlySpan<byte> ThisThreadsBlock =>
        _block is null ? default : new ReadOnlySpan<byte>(_block, checked((int)_blockBytes));

    [UnmanagedCallersOnly]
    private static int Allocate(byte** memory, nuint bytes)
    {
        // libargon2 reports a null pointer as ARGON2_MEMORY_ALLOCATION_ERROR (it ignores the
        // return value).
        if (_keepsBlock && (ulong)bytes <= (ulong)KeepLimit)
        {
            if (_blockBytes < bytes && !TryMapKeptBlock(bytes))
            {
                *memory = null;
                return -1;
            }

            *memory = _block;
            return 0;
        }

        var mapped = Map(bytes);
        *memory = (byte*)mapped;
        return mapped is null ? -1 : 0;
    }

    [UnmanagedCallersOnly]
    private static void Free(byte* memory, nuint bytes)
    {
        if (memory != _block)
        {
            _ = LibC.Munmap(memory, bytes);
        }
    }

    private static bool TryMapKeptBlock(nuint bytes)
    {
        ReleaseThisThread();

        // One huge page extra, so the block can start on a 2 MiB boundary; the slack is never
        // touched, so it takes no memory.
        var mapping = (byte*)Map(bytes + HugePage);
        if (mapping is null)
        {
            return false;
        }

        var block = (byte*)(((nuint)mapping + HugePage - 1) & ~(HugePage - 1));
        _ = LibC.Madvise(block, bytes, LibC.MadviseHugePage);
        _mapping = mapping;
        _mappingBytes = bytes + HugePage;
        _block = block;
        _blockBytes = bytes;
        Interlocked.Add(ref _keptBytes, (long)bytes);
        return true;
    }

    private static void* Map(nuint bytes)
    {
        var mapped = LibC.Mmap(null, bytes, LibC.ProtRead | LibC.ProtWrite, LibC.MapPrivate | LibC.MapAnonymous, -1, 0);
        return mapped == LibC.MapFailed ? null : mapped;
    }
}
