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
    private readonly ShortLivedCache<SessionState> _cache = new(time);

    public async ValueTask<SessionState> GetAsync(string sessionId, CancellationToken cancellationToken = default) =>
        _cache.TryGet(sessionId, out var state) ? state : await RefreshAsync(sessionId, cancellationToken);

    /// <summary>Reads the state from the database, bypassing the cache.</summary>
    public async ValueTask<SessionState> RefreshAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var stamp = _cache.Stamp(sessionId);
        var state = await reader.ReadAsync(sessionId, time.GetUtcNow(), cancellationToken);
        _cache.Set(sessionId, state, stamp, options.Value.SessionStateCacheDuration);
        return state;
    }

    public void Invalidate(string sessionId) => _cache.Invalidate(sessionId);
}
