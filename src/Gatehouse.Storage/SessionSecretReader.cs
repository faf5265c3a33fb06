using Gatehouse.Core.Accounts;
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

/// <summary>
/// Reads session state outside any unit of work (the per-request liveness check): the session's,
/// and its user's authorization in the same query (roles, the instant from which tokens count,
/// status), so a change to the user reaches live tokens within the state cache's bound.
/// </summary>
internal sealed class SqlSessionStateReader(DetachedReads reads) : ISessionStateReader
{
    private const string Query =
        "SELECT s.ended_at, s.expires_at, s.generation, u.roles, u.tokens_valid_after, u.status FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = @p0";

    public async Task<SessionState> ReadAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var state = await reads.FirstAsync(Query, [sessionId],
            r => (SessionState?)new SessionState(
                r.IsDBNull(0) && SqlValues.Time(r.GetInt64(1)) > now,
                r.GetInt64(2),
                r.GetString(3),
                SqlValues.NullableTime(r, 4)?.ToUnixTimeSeconds() ?? 0,
                (UserStatus)r.GetInt32(5) is not (UserStatus.Disabled or UserStatus.Deleted)),
            cancellationToken);
        return state ?? SessionState.Unknown;
    }
}
