using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Teams;
using Gatehouse.Core.Tokens;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

// The repositories of one unit of work (SqlSession). The SQL is the same on SQLite and
// PostgreSQL unless a comment says otherwise; every value is a parameter.

internal sealed class SqlUserRepository(SqlSession db) : IUserRepository
{
    private static readonly EntityMap<User> Map = Maps.Users;
    private static readonly string ById = $"SELECT {Map.Select} FROM users WHERE id = @p0";
    private static readonly string ByNumber = $"SELECT {Map.Select} FROM users WHERE number = @p0";
    private static readonly string ByEmail = $"SELECT {Map.Select} FROM users WHERE normalized_email = @p0";
    private static readonly string ByUsername = $"SELECT {Map.Select} FROM users WHERE normalized_username = @p0";

    public Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, ById, [id], cancellationToken);

    public Task<User?> FindByNumberAsync(long number, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, ByNumber, [number], cancellationToken);

    public Task<User?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, ByEmail, [normalizedEmail], cancellationToken);

    public Task<User?> FindByUsernameAsync(string normalizedUsername, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, ByUsername, [normalizedUsername], cancellationToken);

    public async Task<User?> FindByLoginAsync(string normalizedLogin, CancellationToken cancellationToken = default) =>
        await FindByEmailAsync(normalizedLogin, cancellationToken) ?? await FindByUsernameAsync(normalizedLogin, cancellationToken);

    public async Task<Page<User>> ListAsync(string? search, int offset, int limit, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return await db.PageAsync(Map, "", "number", [], offset, limit, cancellationToken);
        }
        // A substring match on the normalized forms (no LIKE: the search text is taken literally).
        var position = db.Provider == DatabaseProvider.Postgres ? "strpos" : "instr";
        return await db.PageAsync(Map, $" WHERE {position}(normalized_email, @p0) > 0 OR {position}(normalized_username, @p0) > 0", "number",
            [search.Trim().ToUpperInvariant()], offset, limit, cancellationToken);
    }

    public void Add(User user) => db.Add(Map, user);
}

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

internal sealed class SqlOneTimeTokenRepository(SqlSession db) : IOneTimeTokenRepository
{
    private static readonly EntityMap<OneTimeToken> Map = Maps.OneTimeTokens;

    public void Add(OneTimeToken token) => db.Add(Map, token);

    public Task<OneTimeToken?> FindAsync(string hash, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.None, $"SELECT {Map.Select} FROM one_time_tokens WHERE hash = @p0", [hash], cancellationToken);

    public async Task<bool> TryConsumeAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await db.ExecuteAsync("UPDATE one_time_tokens SET consumed_at = @p0 WHERE hash = @p1 AND consumed_at IS NULL",
            [now.ToUnixTimeMilliseconds(), hash], cancellationToken) == 1;

    public Task ConsumeAllAsync(string purpose, string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.ExecuteAsync("UPDATE one_time_tokens SET consumed_at = @p0 WHERE user_id = @p1 AND purpose = @p2 AND consumed_at IS NULL",
            [now.ToUnixTimeMilliseconds(), userId, purpose], cancellationToken);

    public async Task<int> CountIssuedSinceAsync(string purpose, string userId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        (int)await db.ScalarAsync("SELECT COUNT(*) FROM one_time_tokens WHERE user_id = @p0 AND purpose = @p1 AND created_at >= @p2",
            [userId, purpose, since.ToUnixTimeMilliseconds()], cancellationToken);
}

internal sealed class SqlOutboxRepository(SqlSession db) : IOutboxRepository
{
    private static readonly EntityMap<OutboxMessage> Map = Maps.OutboxMessages;

    public void Add(OutboxMessage message) => db.Add(Map, message);

    public async Task<IReadOnlyList<OutboxMessage>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) =>
        await db.QueryAsync(Map, Tracking.None,
            $"SELECT {Map.Select} FROM outbox_messages WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= @p0 ORDER BY id LIMIT @p1",
            [now.ToUnixTimeMilliseconds(), max], cancellationToken);

    public async Task<bool> TryClaimAsync(long id, int attempts, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        await db.ExecuteAsync("UPDATE outbox_messages SET attempts = @p0, next_attempt_at = @p1 WHERE id = @p2 AND attempts = @p3 AND sent_at IS NULL",
            [attempts + 1, leaseUntil.ToUnixTimeMilliseconds(), id, attempts], cancellationToken) == 1;

    public Task MarkSentAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.ExecuteAsync("UPDATE outbox_messages SET sent_at = @p0, protected_body = '', last_error = NULL WHERE id = @p1",
            [now.ToUnixTimeMilliseconds(), id], cancellationToken);

    public Task MarkFailedAttemptAsync(long id, DateTimeOffset nextAttemptAt, bool giveUp, string error, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.ExecuteAsync("UPDATE outbox_messages SET next_attempt_at = @p0, last_error = @p1, failed_at = @p2 WHERE id = @p3",
            [nextAttemptAt.ToUnixTimeMilliseconds(), error.Length > 1000 ? error[..1000] : error, giveUp ? now.ToUnixTimeMilliseconds() : null, id], cancellationToken);
}

internal sealed class SqlAuditLog(SqlSession db) : IAuditLog
{
    private static readonly EntityMap<AuditEvent> Map = Maps.AuditEvents;

    public void Add(AuditEvent auditEvent) => db.Add(Map, auditEvent);

    public async Task<Page<AuditEvent>> ListAsync(string? userId, string? type, int offset, int limit, CancellationToken cancellationToken = default)
    {
        var conditions = new List<string>();
        var args = new List<object?>();
        if (userId is not null)
        {
            conditions.Add("user_id = " + SqlCommands.ParameterName(args.Count));
            args.Add(userId);
        }
        if (type is not null)
        {
            conditions.Add("type = " + SqlCommands.ParameterName(args.Count));
            args.Add(type);
        }
        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        return await db.PageAsync(Map, where, "id DESC", [.. args], offset, limit, cancellationToken);
    }
}

internal sealed class SqlClientRepository(SqlSession db) : IClientRepository
{
    private static readonly EntityMap<Client> Map = Maps.Clients;

    public Task<Client?> FindAsync(string clientId, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM clients WHERE client_id = @p0", [clientId], cancellationToken);

    public Task<Client?> FindByNumberAsync(long number, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM clients WHERE number = @p0", [number], cancellationToken);

    public Task<Page<Client>> ListAsync(int offset, int limit, bool includeDeleted, CancellationToken cancellationToken = default) =>
        db.PageAsync(Map, includeDeleted ? "" : " WHERE deleted_at IS NULL", "number", [], offset, limit, cancellationToken);

    public void Add(Client client) => db.Add(Map, client);

    public void Remove(Client client) => db.Remove(Map, client);
}

internal sealed class SqlTeamRepository(SqlSession db) : ITeamRepository
{
    private static readonly EntityMap<Team> Map = Maps.Teams;
    private static readonly EntityMap<TeamMember> Members = Maps.TeamMembers;

    public Task<Team?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM teams WHERE id = @p0", [id], cancellationToken);

    public Task<Page<Team>> ListAsync(int offset, int limit, CancellationToken cancellationToken = default) =>
        db.PageAsync(Map, "", "number", [], offset, limit, cancellationToken);

    public async Task<IReadOnlyList<TeamMember>> MembersAsync(string teamId, CancellationToken cancellationToken = default) =>
        await db.QueryAsync(Members, Tracking.Track, $"SELECT {Members.Select} FROM team_members WHERE team_id = @p0 ORDER BY created_at", [teamId], cancellationToken);

    public async Task<IReadOnlyList<TeamMember>> MembershipsAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.QueryAsync(Members, Tracking.None, $"SELECT {Members.Select} FROM team_members WHERE user_id = @p0 ORDER BY created_at", [userId], cancellationToken);

    public Task<TeamMember?> FindMemberAsync(string teamId, string userId, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Members, Tracking.Track, $"SELECT {Members.Select} FROM team_members WHERE team_id = @p0 AND user_id = @p1", [teamId, userId], cancellationToken);

    public void Add(Team team) => db.Add(Map, team);

    public void Remove(Team team) => db.Remove(Map, team);

    public void AddMember(TeamMember member) => db.Add(Members, member);

    public void RemoveMember(TeamMember member) => db.Remove(Members, member);
}

internal sealed class SqlUserClientRepository(SqlSession db) : IUserClientRepository
{
    private static readonly EntityMap<Client> Clients = Maps.Clients;

    public async Task<bool> IsAllowedAsync(string userId, string clientId, CancellationToken cancellationToken = default) =>
        await db.ScalarAsync("SELECT COUNT(*) FROM user_clients WHERE user_id = @p0 AND client_id = @p1", [userId, clientId], cancellationToken) > 0;

    public async Task<IReadOnlyList<Client>> ListClientsAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.QueryAsync(Clients, Tracking.None,
            $"SELECT {Clients.SelectAs("c")} FROM clients c WHERE c.deleted_at IS NULL AND EXISTS (SELECT 1 FROM user_clients u WHERE u.user_id = @p0 AND u.client_id = c.client_id) ORDER BY c.number",
            [userId], cancellationToken);

    public void Add(UserClient userClient) => db.Add(Maps.UserClients, userClient);

    public Task<int> RemoveAsync(string userId, string clientId, CancellationToken cancellationToken = default) =>
        db.ExecuteAsync("DELETE FROM user_clients WHERE user_id = @p0 AND client_id = @p1", [userId, clientId], cancellationToken);
}

internal sealed class SqlSignInOtpRepository(SqlSession db) : ISignInOtpRepository
{
    private static readonly EntityMap<SignInOtp> Map = Maps.SignInOtps;

    public void Add(SignInOtp otp) => db.Add(Map, otp);

    public Task<SignInOtp?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM sign_in_otps WHERE id = @p0", [id], cancellationToken);

    public Task<SignInOtp?> FindByHashAsync(string hash, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM sign_in_otps WHERE hash = @p0", [hash], cancellationToken);

    public void Remove(SignInOtp otp) => db.Remove(Map, otp);

    public async Task<bool> TryConsumeAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await db.ExecuteAsync("UPDATE sign_in_otps SET consumed_at = @p0 WHERE hash = @p1 AND consumed_at IS NULL AND expires_at > @p0",
            [now.ToUnixTimeMilliseconds(), hash], cancellationToken) == 1;
}
