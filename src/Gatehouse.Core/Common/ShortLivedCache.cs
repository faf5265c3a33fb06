using System.Collections.Concurrent;

namespace Gatehouse.Core.Common;

/// <summary>
/// A per-instance cache whose entries live at most a fixed time (under a second where it
/// matters), with invalidation that a concurrent read cannot undo: a value read before an
/// invalidation is never stored after it. Readers take a <see cref="Stamp"/> before reading
/// the database and store with it; <see cref="Set"/> drops the value when an invalidation
/// happened meanwhile. Invalidations are counted in stripes by key, so a busy key (a session
/// refreshed often) does not keep every other key from being cached.
/// </summary>
public sealed class ShortLivedCache<TValue>(TimeProvider time, int maxEntries = 200_000)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private const int Stripes = 64;
    private readonly long[] _invalidations = new long[Stripes];

    private readonly record struct Entry(TValue Value, long ExpiresAtTicks);

    /// <summary>Take before reading the key's value from the source; pass to <see cref="Set"/>.</summary>
    public long Stamp(string key) => Volatile.Read(ref _invalidations[Stripe(key)]);

    public bool TryGet(string key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAtTicks > time.GetUtcNow().UtcTicks)
        {
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>Stores a value read after <paramref name="stamp"/> was taken, unless an invalidation came since.</summary>
    public void Set(string key, TValue value, long stamp, TimeSpan lifetime)
    {
        ref var invalidations = ref _invalidations[Stripe(key)];
        if (Volatile.Read(ref invalidations) != stamp)
        {
            return;
        }
        if (_entries.Count >= maxEntries)
        {
            _entries.Clear();
        }
        _entries[key] = new Entry(value, (time.GetUtcNow() + lifetime).UtcTicks);
        // An invalidation between the check above and the store may have removed the key before
        // it was stored: then the stored value is older than the invalidation, so drop it.
        if (Volatile.Read(ref invalidations) != stamp)
        {
            _entries.TryRemove(key, out _);
        }
    }

    public void Invalidate(string key)
    {
        Interlocked.Increment(ref _invalidations[Stripe(key)]);
        _entries.TryRemove(key, out _);
    }

    private static int Stripe(string key) => (int)((uint)StringComparer.Ordinal.GetHashCode(key) % Stripes);
}
