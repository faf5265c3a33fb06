using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Teams;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Fakes;

// The repositories of one unit of work, over InMemoryDatabase. Each mirrors its SQL twin in
// src/Gatehouse.Storage/Repositories.cs: the same tracking (tracked or not), the same
// conditions on immediate writes, the same order of lists.

internal static class Paging
{
    /// <summary>One page of rows already in order, and how many there are in all.</summary>
    public static Task<Page<T>> Of<T>(List<T> all, int offset, int limit) =>
        Task.FromResult(new Page<T>(all.Skip(offset).Take(limit).ToList(), all.Count, offset, limit));
}

internal sealed class InMemoryUserRepository(FakeUnitOfWork uow) : IUserRepository
{
    private Table Users => uow.Database.Users;

    public Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Read(() => uow.Track(Users, Users.Rows.GetValueOrDefault(id) as User)));

    public Task<User?> FindByNumberAsync(long number, CancellationToken cancellationToken = default) =>
        Task.FromResult(First(u => u.Number == number));

    public Task<User?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken = default) =>
        Task.FromResult(First(u => u.NormalizedEmail == normalizedEmail));

    public Task<User?> FindByUsernameAsync(string normalizedUsername, CancellationToken cancellationToken = default) =>
        Task.FromResult(First(u => u.NormalizedUsername == normalizedUsername));

    public async Task<User?> FindByLoginAsync(string normalizedLogin, CancellationToken cancellationToken = default) =>
        await FindByEmailAsync(normalizedLogin, cancellationToken) ?? await FindByUsernameAsync(normalizedLogin, cancellationToken);

    public Task<Page<User>> ListAsync(string? search, int offset, int limit, CancellationToken cancellationToken = default)
    {
        var needle = search?.Trim().ToUpperInvariant();
        var all = uow.Database.Select<User>(Users, u => string.IsNullOrEmpty(needle)
            || (u.NormalizedEmail?.Contains(needle, StringComparison.Ordinal) ?? false)
            || (u.NormalizedUsername?.Contains(needle, StringComparison.Ordinal) ?? false)).OrderBy(u => u.Number).ToList();
        return Paging.Of(all, offset, limit);
    }

    public void Add(User user) => uow.Add(Users, user);

    /// <summary>As the SQL: one atomic step on the committed row, applying <see cref="SignInOptions.LockAfter"/>; nothing while locked.</summary>
    public async Task<bool> TryReserveSignInAttemptAsync(User user, SignInOptions rule, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var stored = await uow.WriteAsync(() =>
        {
            if (Users.Rows.GetValueOrDefault(user.Id) is not User row || row.LockedUntil > now)
            {
                return null;
            }
            row.FailedSignIns++;
            row.LockedUntil = rule.LockAfter(row.FailedSignIns, now, row.LockedUntil);
            return Table.Copy(row);
        }, cancellationToken);
        if (stored is null)
        {
            return false;
        }
        user.FailedSignIns = stored.FailedSignIns;
        user.LockedUntil = stored.LockedUntil;
        uow.MarkStored(Users, user, nameof(User.FailedSignIns), nameof(User.LockedUntil));
        uow.UserWritten(user.Id);
        return true;
    }

    private User? First(Func<User, bool> where) =>
        uow.Read(() => uow.Track(Users, Users.Rows.Values.Cast<User>().FirstOrDefault(where)));
}

internal sealed class InMemorySessionRepository(FakeUnitOfWork uow) : ISessionRepository
{
    private InMemoryDatabase Db => uow.Database;

    public void Add(Session session) => uow.Add(Db.Sessions, session);

    public void AddRefreshToken(RefreshToken token) => uow.Add(Db.RefreshTokens, token);

    public Task<Session?> FindAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Read(() => uow.Track(Db.Sessions, Db.Sessions.Rows.GetValueOrDefault(sessionId) as Session)));

    /// <summary>The row as committed now (a tracked copy is overwritten), as the real one reloads under the row lock.</summary>
    public Task<Session?> FindForUpdateAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Read(() => uow.Reload(Db.Sessions, Db.Sessions.Rows.GetValueOrDefault(sessionId) as Session)));

    public Task<RefreshToken?> FindRefreshTokenAsync(string hash, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Read(() => uow.Track(Db.RefreshTokens, Db.RefreshTokens.Rows.GetValueOrDefault(hash) as RefreshToken)));

    public Task<IReadOnlyList<Session>> ListActiveAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Session>>(Db.Select<Session>(Db.Sessions, s => s.UserId == userId && s.EndedAt is null && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt).ToList());

    public async Task<IReadOnlyList<string>> EndAllAsync(string userId, DateTimeOffset now, string reason, string? exceptSessionId, CancellationToken cancellationToken = default)
    {
        // As the SQL: every session of the user not ended yet (expired ones too), but the one kept.
        var ended = await uow.WriteAsync(() =>
        {
            var ids = new List<string>();
            foreach (var session in Db.Sessions.Rows.Values.Cast<Session>().Where(s => s.UserId == userId && s.EndedAt is null && s.Id != exceptSessionId))
            {
                session.EndedAt = now;
                session.EndReason = reason;
                ids.Add(session.Id);
            }
            return ids;
        }, cancellationToken);
        foreach (var id in ended)
        {
            uow.Detach(Db.Sessions, id);
        }
        return ended;
    }
}

internal sealed class InMemoryOneTimeTokenRepository(FakeUnitOfWork uow) : IOneTimeTokenRepository
{
    private Table Tokens => uow.Database.OneTimeTokens;

    public void Add(OneTimeToken token) => uow.Add(Tokens, token);

    public Task<OneTimeToken?> FindAsync(string hash, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Database.Get<OneTimeToken>(Tokens, hash));

    public Task<bool> TryConsumeAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        uow.WriteAsync(() =>
        {
            if (Tokens.Rows.GetValueOrDefault(hash) is not OneTimeToken { ConsumedAt: null } token)
            {
                return false;
            }
            token.ConsumedAt = now;
            return true;
        }, cancellationToken);

    public Task ConsumeAllAsync(string purpose, string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        uow.WriteAsync(() =>
        {
            foreach (var token in Tokens.Rows.Values.Cast<OneTimeToken>().Where(t => t.UserId == userId && t.Purpose == purpose && t.ConsumedAt is null))
            {
                token.ConsumedAt = now;
            }
            return 0;
        }, cancellationToken);

    public Task<int> CountIssuedSinceAsync(string purpose, string userId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Database.Select<OneTimeToken>(Tokens, t => t.UserId == userId && t.Purpose == purpose && t.CreatedAt >= since).Count);
}

internal sealed class InMemoryOutboxRepository(FakeUnitOfWork uow) : IOutboxRepository
{
    private Table Outbox => uow.Database.Outbox;

    public void Add(OutboxMessage message) => uow.Add(Outbox, message);

    public Task<IReadOnlyList<OutboxMessage>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<OutboxMessage>>(uow.Database.Select<OutboxMessage>(Outbox, m => m.SentAt is null && m.FailedAt is null && m.NextAttemptAt <= now)
            .OrderBy(m => m.Id).Take(max).ToList());

    /// <summary>As the SQL: only while the attempt count is the one the dispatcher read and the message is unsent.</summary>
    public Task<bool> TryClaimAsync(long id, int attempts, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        uow.WriteAsync(() =>
        {
            if (Outbox.Rows.GetValueOrDefault(InMemoryDatabase.Key(id)) is not OutboxMessage { SentAt: null } message || message.Attempts != attempts)
            {
                return false;
            }
            message.Attempts = attempts + 1;
            message.NextAttemptAt = leaseUntil;
            return true;
        }, cancellationToken);

    public Task MarkSentAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Update(id, m =>
        {
            m.SentAt = now;
            m.ProtectedBody = "";
            m.LastError = null;
        }, cancellationToken);

    public Task MarkFailedAttemptAsync(long id, DateTimeOffset nextAttemptAt, bool giveUp, string error, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Update(id, m =>
        {
            m.NextAttemptAt = nextAttemptAt;
            m.LastError = error.Length > 1000 ? error[..1000] : error;
            m.FailedAt = giveUp ? now : null;
        }, cancellationToken);

    private Task Update(long id, Action<OutboxMessage> change, CancellationToken cancellationToken) =>
        uow.WriteAsync(() =>
        {
            if (Outbox.Rows.GetValueOrDefault(InMemoryDatabase.Key(id)) is OutboxMessage message)
            {
                change(message);
            }
            return 0;
        }, cancellationToken);
}

internal sealed class InMemoryAuditLog(FakeUnitOfWork uow) : IAuditLog
{
    public void Add(AuditEvent auditEvent) => uow.Add(uow.Database.Audit, auditEvent);

    public Task<Page<AuditEvent>> ListAsync(string? userId, string? type, int offset, int limit, CancellationToken cancellationToken = default)
    {
        var all = uow.Database.Select<AuditEvent>(uow.Database.Audit, e => (userId is null || e.UserId == userId) && (type is null || e.Type == type))
            .OrderByDescending(e => e.Id).ToList();
        return Paging.Of(all, offset, limit);
    }
}

internal sealed class InMemoryClientRepository(FakeUnitOfWork uow) : IClientRepository
{
    private Table Clients => uow.Database.Clients;

    public Task<Client?> FindAsync(string clientId, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Read(() => uow.Track(Clients, Clients.Rows.GetValueOrDefault(clientId) as Client)));

    public Task<Client?> FindByNumberAsync(long number, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Read(() => uow.Track(Clients, Clients.Rows.Values.Cast<Client>().FirstOrDefault(c => c.Number == number))));

    public Task<Page<Client>> ListAsync(int offset, int limit, bool includeDeleted, CancellationToken cancellationToken = default)
    {
        var all = uow.Database.Select<Client>(Clients, c => includeDeleted || !c.IsDeleted).OrderBy(c => c.Number).ToList();
        return Paging.Of(all, offset, limit);
    }

    public void Add(Client client) => uow.Add(Clients, client);

    public void Remove(Client client) => uow.Remove(Clients, client);
}

internal sealed class InMemoryUserClientRepository(FakeUnitOfWork uow) : IUserClientRepository
{
    private InMemoryDatabase Db => uow.Database;

    public Task<bool> IsAllowedAsync(string userId, string clientId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Db.Get<UserClient>(Db.UserClients, userId + "\n" + clientId) is not null);

    public Task<IReadOnlyList<Client>> ListClientsAsync(string userId, CancellationToken cancellationToken = default)
    {
        var allowed = Db.Select<UserClient>(Db.UserClients, u => u.UserId == userId).Select(u => u.ClientId).ToHashSet(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<Client>>(Db.Select<Client>(Db.Clients, c => !c.IsDeleted && allowed.Contains(c.ClientId)).OrderBy(c => c.Number).ToList());
    }

    public void Add(UserClient userClient) => uow.Add(Db.UserClients, userClient);

    public Task<int> RemoveAsync(string userId, string clientId, CancellationToken cancellationToken = default) =>
        uow.WriteAsync(() => Db.UserClients.Rows.Remove(userId + "\n" + clientId) ? 1 : 0, cancellationToken);
}

internal sealed class InMemorySignInOtpRepository(FakeUnitOfWork uow) : ISignInOtpRepository
{
    private Table Otps => uow.Database.SignInOtps;

    public void Add(SignInOtp otp) => uow.Add(Otps, otp);

    public Task<SignInOtp?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Read(() => uow.Track(Otps, Otps.Rows.GetValueOrDefault(id) as SignInOtp)));

    public Task<SignInOtp?> FindByHashAsync(string hash, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Read(() => uow.Track(Otps, Otps.Rows.Values.Cast<SignInOtp>().FirstOrDefault(o => o.Hash == hash))));

    public void Remove(SignInOtp otp) => uow.Remove(Otps, otp);

    /// <summary>As the SQL: every open (unused, unexpired, under the cap) OTP of the user counts the attempt; the matching one among them is used up.</summary>
    public Task<bool> TryRedeemAsync(string userId, string hash, DateTimeOffset now, int maxAttempts, CancellationToken cancellationToken = default) =>
        uow.WriteAsync(() =>
        {
            var redeemed = false;
            foreach (var otp in Otps.Rows.Values.Cast<SignInOtp>().Where(o => o.UserId == userId && o.ConsumedAt is null && o.ExpiresAt > now && o.Attempts < maxAttempts))
            {
                otp.Attempts++;
                if (otp.Hash == hash)
                {
                    otp.ConsumedAt = now;
                    redeemed = true;
                }
            }
            return redeemed;
        }, cancellationToken);
}

internal sealed class InMemoryTeamRepository(FakeUnitOfWork uow) : ITeamRepository
{
    private InMemoryDatabase Db => uow.Database;

    public Task<Team?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Read(() => uow.Track(Db.Teams, Db.Teams.Rows.GetValueOrDefault(id) as Team)));

    public Task<Page<Team>> ListAsync(int offset, int limit, CancellationToken cancellationToken = default)
    {
        var all = Db.Select<Team>(Db.Teams).OrderBy(t => t.Number).ToList();
        return Paging.Of(all, offset, limit);
    }

    public Task<IReadOnlyList<TeamMember>> MembersAsync(string teamId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TeamMember>>(uow.Read(() => Db.TeamMembers.Rows.Values.Cast<TeamMember>().Where(m => m.TeamId == teamId)
            .OrderBy(m => m.CreatedAt).Select(m => uow.Track(Db.TeamMembers, m)!).ToList()));

    public Task<IReadOnlyList<TeamMember>> MembershipsAsync(string userId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TeamMember>>(Db.Select<TeamMember>(Db.TeamMembers, m => m.UserId == userId).OrderBy(m => m.CreatedAt).ToList());

    public Task<TeamMember?> FindMemberAsync(string teamId, string userId, CancellationToken cancellationToken = default) =>
        Task.FromResult(uow.Read(() => uow.Track(Db.TeamMembers, Db.TeamMembers.Rows.GetValueOrDefault(teamId + "\n" + userId) as TeamMember)));

    public void Add(Team team) => uow.Add(Db.Teams, team);

    public void Remove(Team team) => uow.Remove(Db.Teams, team);

    public void AddMember(TeamMember member) => uow.Add(Db.TeamMembers, member);

    public void RemoveMember(TeamMember member) => uow.Remove(Db.TeamMembers, member);
}
