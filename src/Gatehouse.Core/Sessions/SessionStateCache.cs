using System.Collections.Concurrent;
using Gatehouse.Core.Common;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Sessions;

/// <summary>
/// Per-instance cache of session state for the bearer check. An entry lives at most
/// <see cref="TokenOptions.SessionStateCacheDuration"/> (under 1 s), so a session ended on
/// another instance sharing the database is refused here within a second; a session ended on
/// this instance is dropped from the cache at once.
/// </summary>
public sealed class SessionStateCache(ISessionStateReader reader, TimeProvider time, IOptions<TokenOptions> options)
{
    private const int MaxEntries = 200_000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private readonly record struct Entry(SessionState State, long ExpiresAtTicks);

    public async ValueTask<SessionState> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(sessionId, out var entry) && entry.ExpiresAtTicks > now.UtcTicks)
        {
            return entry.State;
        }
        return await RefreshAsync(sessionId, cancellationToken);
    }

    /// <summary>Reads the state from the database, bypassing the cache.</summary>
    public async ValueTask<SessionState> RefreshAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var state = await reader.ReadAsync(sessionId, now, cancellationToken);
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        _entries[sessionId] = new Entry(state, (now + options.Value.SessionStateCacheDuration).UtcTicks);
        return state;
    }

    public void Invalidate(string sessionId) => _entries.TryRemove(sessionId, out _);
}
