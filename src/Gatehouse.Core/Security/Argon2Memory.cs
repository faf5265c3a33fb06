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
/// libargon2 wipes the memory before it calls <see cref="Free"/>, so a kept block holds zeros
/// between hashes, never anything derived from a password. Only requests no larger than
/// <see cref="KeepLimit"/> (the largest configured Argon2 memory) use the kept block; a stored
/// hash with larger parameters gets memory of its own, freed as soon as it is done.
/// </remarks>
internal static unsafe class Argon2Memory
{
    private const nuint Alignment = 64;

    [ThreadStatic]
    private static bool _keepsBlock;

    [ThreadStatic]
    private static byte* _block;

    [ThreadStatic]
    private static nuint _blockBytes;

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

    /// <summary>Frees the calling thread's kept block, if it has one (an idle hashing thread).</summary>
    public static void ReleaseThisThread()
    {
        if (_block is null)
        {
            return;
        }

        NativeMemory.AlignedFree(_block);
        Interlocked.Add(ref _keptBytes, -(long)_blockBytes);
        _block = null;
        _blockBytes = 0;
    }

    /// <summary>The calling thread's kept block, for tests: empty when it keeps none.</summary>
    internal static ReadOnlySpan<byte> ThisThreadsBlock =>
        _block is null ? default : new ReadOnlySpan<byte>(_block, checked((int)_blockBytes));

    [UnmanagedCallersOnly]
    private static int Allocate(byte** memory, nuint bytes)
    {
        // An exception must not cross back into native code; libargon2 reports a null pointer
        // as ARGON2_MEMORY_ALLOCATION_ERROR.
        try
        {
            if (_keepsBlock && (ulong)bytes <= (ulong)KeepLimit)
            {
                if (_blockBytes < bytes)
                {
                    ReleaseThisThread();
                    _block = (byte*)NativeMemory.AlignedAlloc(bytes, Alignment);
                    _blockBytes = bytes;
                    Interlocked.Add(ref _keptBytes, (long)bytes);
                }

                *memory = _block;
                return 0;
            }

            *memory = (byte*)NativeMemory.AlignedAlloc(bytes, Alignment);
            return 0;
        }
        catch (OutOfMemoryException)
        {
            *memory = null;
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static void Free(byte* memory, nuint bytes)
    {
        if (memory != _block)
        {
            NativeMemory.AlignedFree(memory);
        }
    }
}
