using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

// A repository of one unit of work (SqlSession). The SQL is the same on SQLite and
// PostgreSQL unless a comment says otherwise; every value is a parameter.

internal sealed class SqlSessionRepository(SqlSession db) : ISessionRepository
{
    private static readonly EntityMap<Session> Map = Maps.Sessions;
    private static readonly string ById = $"SELECT {Map.Select} FROM sessions WHERE id = @p0";
    private static readonly string TokenByHash = $"SELECT {Maps.RefreshTokens.Select} FROM refresh_tokens WHERE hash = @p0";

    public void Add(Session session) => db.Add(Map, session);

    public void AddRefreshToken(RefreshToken token) => db.Add(Maps.RefreshTokens, token);

    public Task<Session?> FindAsync(string sessionId, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, ById, [sessionId], cancellationToken);

    public async Task<Session?> FindForUpdateAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        // PostgreSQL: the row's lock until the transaction ends. SQLite needs none: its write
        // transactions already run one at a time (SqliteWriteLock).
        return await db.FirstAsync(Map, Tracking.Reload, db.Provider == DatabaseProvider.Postgres ? ById + " FOR UPDATE" : ById, [sessionId], cancellationToken);
    }

    public Task<RefreshToken?> FindRefreshTokenAsync(string hash, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Maps.RefreshTokens, Tracking.Track, TokenByHash, [hash], cancellationToken);

    public async Task<IReadOnlyList<Session>> ListActiveAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await db.QueryAsync(Map, Tracking.None,
            $"SELECT {Map.Select} FROM sessions WHERE user_id = @p0 AND ended_at IS NULL AND expires_at > @p1 ORDER BY last_seen_at DESC",
            [userId, now.ToUnixTimeMilliseconds()], cancellationToken);

    public async Task<IReadOnlyList<string>> EndAllAsync(string userId, DateTimeOffset now, string reason, string? exceptSessionId, CancellationToken cancellationToken = default)
    {
        const string EndActive = "UPDATE sessions SET ended_at = @p0, end_reason = @p1 WHERE user_id = @p2 AND ended_at IS NULL";
        var ids = exceptSessionId is null
            ? await db.ExecuteReturningAsync(EndActive + " RETURNING id", [now.ToUnixTimeMilliseconds(), reason, userId], cancellationToken)
            : await db.ExecuteReturningAsync(EndActive + " AND id <> @p3 RETURNING id", [now.ToUnixTimeMilliseconds(), reason, userId, exceptSessionId], cancellationToken);
        foreach (var id in ids)
        {
            // Changed behind the tracker: a tracked copy would be stale.
            db.Detach(Map, id);
        }
        return ids;
    }
}
