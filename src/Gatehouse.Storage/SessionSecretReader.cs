using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

/// <summary>Looks a cookie-session secret hash up outside any unit of work.</summary>
internal sealed class SqlSessionSecretReader(DetachedReads reads) : ISessionSecretReader
{
    public Task<SessionSecretMatch?> FindAsync(string secretHash, CancellationToken cancellationToken = default) =>
        reads.FirstAsync("SELECT id, user_id FROM sessions WHERE secret_hash = @p0", [secretHash],
            r => new SessionSecretMatch(r.GetString(0), r.GetString(1)), cancellationToken);
}

/// <summary>Reads session state outside any unit of work (the per-request liveness check).</summary>
internal sealed class SqlSessionStateReader(DetachedReads reads) : ISessionStateReader
{
    public async Task<SessionState> ReadAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var state = await reads.FirstAsync("SELECT ended_at, expires_at, generation FROM sessions WHERE id = @p0", [sessionId],
            r => ((bool Ended, DateTimeOffset ExpiresAt, long Generation)?)(!r.IsDBNull(0), SqlValues.Time(r.GetInt64(1)), r.GetInt64(2)), cancellationToken);
        return state is { } s
            ? new SessionState(!s.Ended && s.ExpiresAt > now, s.Generation)
            : new SessionState(false, -1);
    }
}
