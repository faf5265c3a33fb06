using System.Diagnostics.CodeAnalysis;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Tokens;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Sessions;

/// <summary>An access token and the refresh token that goes with it.</summary>
public sealed record TokenPair(
    string AccessToken,
    DateTimeOffset AccessTokenExpiresAt,
    string RefreshToken,
    DateTimeOffset RefreshTokenExpiresAt,
    string SessionId);

/// <summary>A refresh token as presented (raw and hashed) and what the store holds of it.</summary>
internal sealed record PresentedRefreshToken(string Raw, string Hash, RefreshSnapshot Snapshot);

/// <summary>
/// The one token authority: starts sessions, rotates refresh tokens, ends sessions and checks
/// bearer tokens, for every surface.
/// </summary>
public sealed class SessionService(
    ISessionRepository sessions,
    IRefreshRotationStore rotations,
    IUserRepository users,
    IClientRepository clients,
    IUnitOfWork unitOfWork,
    IAccessTokenService accessTokens,
    SessionStateCache stateCache,
    IAuditLog audit,
    TimeProvider time,
    IOptions<TokenOptions> options)
{
    private TokenOptions Options => options.Value;

    /// <summary>
    /// Adds a new session and its first refresh token to the unit of work (the caller saves) and
    /// returns its tokens.
    /// </summary>
    public async Task<TokenPair> StartAsync(User user, Client? client, RequestContext context, bool secondFactorPending = false, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var session = new Session
        {
            Id = SecureTokens.NewId("ses"),
            UserId = user.Id,
            ClientId = client?.ClientId,
            Surface = context.Surface,
            DeviceId = Truncate(context.DeviceId, 200),
            UserAgent = Truncate(context.UserAgent, 500),
            IpAddress = context.IpAddress,
            SecondFactorPending = secondFactorPending,
            RotateRefreshTokens = client?.RotateRefreshTokens ?? true,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + RefreshLifetime(client),
        };
        sessions.Add(session);
        var refresh = NewRefreshToken(session, now);
        var access = await IssueAccessTokenAsync(user, session, client, now, cancellationToken);
        return new TokenPair(access.Token, access.ExpiresAt, refresh, session.ExpiresAt, session.Id);
    }

    /// <summary>
    /// Exchanges a refresh token for a new pair. RFC 9700 section 4.14.2: the token is rotated,
    /// and presenting an already-rotated token ends the whole session, except the immediately
    /// previous token within <see cref="TokenOptions.RefreshReuseGrace"/>.
    /// </summary>
    /// <param name="boundTo">When given, the access token that must have been issued with this refresh token.</param>
    public async Task<Result<TokenPair>> RefreshAsync(string? rawRefreshToken, RequestContext context, AccessTokenClaims? boundTo = null, string? clientId = null, CancellationToken cancellationToken = default)
    {
        if (!IsPlausibleRefreshToken(rawRefreshToken))
        {
            return CoreErrors.InvalidToken;
        }
        return await RefreshAsync(rawRefreshToken, SecureTokens.Hash(rawRefreshToken), context, boundTo, clientId, cancellationToken);
    }

    /// <summary>A presented refresh token as stored (whatever its state), or null when it is unknown or malformed.</summary>
    internal async Task<PresentedRefreshToken?> FindRefreshTokenAsync(string? rawRefreshToken, CancellationToken cancellationToken)
    {
        if (!IsPlausibleRefreshToken(rawRefreshToken))
        {
            return null;
        }
        var hash = SecureTokens.Hash(rawRefreshToken);
        var found = await rotations.FindAsync(hash, cancellationToken);
        return found is null ? null : new PresentedRefreshToken(rawRefreshToken, hash, found);
    }

    /// <summary>Exchanges a refresh token already found by <see cref="FindRefreshTokenAsync"/>.</summary>
    internal Task<Result<TokenPair>> RefreshAsync(PresentedRefreshToken presented, RequestContext context, AccessTokenClaims? boundTo, CancellationToken cancellationToken) =>
        RefreshAsync(presented.Raw, presented.Hash, context, boundTo, clientId: null, cancellationToken);

    private static bool IsPlausibleRefreshToken([NotNullWhen(true)] string? rawRefreshToken) =>
        !string.IsNullOrEmpty(rawRefreshToken) && rawRefreshToken.Length <= 512;

    private async Task<Result<TokenPair>> RefreshAsync(string rawRefreshToken, string hash, RequestContext context, AccessTokenClaims? boundTo, string? clientId, CancellationToken cancellationToken)
    {
        // Everything that needs no lock happens before any write: on SQLite only one writer runs
        // at a time, so the time inside it is the throughput limit.
        await accessTokens.PrepareAsync(cancellationToken);
        var now = time.GetUtcNow();
        // The successor's random value is drawn here; the plan below only fills in its row.
        var raw = SecureTokens.New();
        var successorHash = SecureTokens.Hash(raw);
        bool OtherClients(RefreshSnapshot found) => clientId is not null && !string.Equals(clientId, found.ClientId, StringComparison.Ordinal);

        // The common case, a live token of a live session: the store reads the token and, when
        // this plan allows it, rotates it in the same step, with no locks held while deciding.
        // Anything else (a reused or raced token, an ended or expired session, a disabled
        // account, a non-rotating client, another client's token), or losing a race in the
        // write, takes the locked path below, which decides every case.
        var attempt = await rotations.RotateAsync(hash, found =>
            found.TokenConsumedAt is null && found.SessionEndedAt is null && found.RotateRefreshTokens
            && found.SessionExpiresAt > now && found.TokenExpiresAt > now
            && found.UserStatus is not (UserStatus.Disabled or UserStatus.Deleted)
            && !OtherClients(found)
            && (boundTo is null || (boundTo.SessionId == found.SessionId && boundTo.Generation == found.TokenGeneration))
                ? new RefreshRotation(hash, found.SessionId, found.SessionGeneration, now,
                    RefreshTokenRow(successorHash, found.SessionId, found.SessionGeneration + 1, found.SessionExpiresAt, now))
                : null, cancellationToken);
        var snapshot = attempt.Snapshot;
        if (snapshot is null || OtherClients(snapshot))
        {
            return CoreErrors.InvalidToken;
        }
        var client = snapshot.ClientId is null ? null : await clients.FindAsync(snapshot.ClientId, cancellationToken);
        if (attempt.Rotation is { } rotation)
        {
            stateCache.Invalidate(snapshot.SessionId);
            var issued = await accessTokens.IssueAsync(new AccessTokenDescriptor(
                snapshot.UserId, snapshot.UserNumber, snapshot.SessionId, rotation.Successor.Generation,
                AccessTokenAudiences.For(snapshot.ClientId, snapshot.Surface), snapshot.Surface, User.ParseRoles(snapshot.Roles),
                snapshot.TeamId, snapshot.SecondFactorPending, now, now + AccessLifetime(client)), cancellationToken);
            return new TokenPair(issued.Token, issued.ExpiresAt, raw, rotation.Successor.ExpiresAt, snapshot.SessionId);
        }
        return await RefreshLockedAsync(rawRefreshToken, hash, snapshot, client, context, boundTo, cancellationToken);
    }

    private async Task<Result<TokenPair>> RefreshLockedAsync(string rawRefreshToken, string hash, RefreshSnapshot found, Client? client, RequestContext context, AccessTokenClaims? boundTo, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(found.UserId, cancellationToken);
        await using var transaction = await unitOfWork.BeginTransactionAsync(cancellationToken);
        // Locking the session row first serialises concurrent refreshes of one session, so each
        // sees the other's rotation.
        var session = await sessions.FindForUpdateAsync(found.SessionId, cancellationToken);
        var token = await sessions.FindRefreshTokenAsync(hash, cancellationToken);
        var now = time.GetUtcNow();
        if (session is null || token is null)
        {
            return CoreErrors.InvalidToken;
        }
        if (boundTo is not null && (boundTo.SessionId != session.Id || boundTo.Generation != token.Generation))
        {
            return CoreErrors.InvalidToken;
        }
        if (session.EndedAt is not null)
        {
            return CoreErrors.SessionEnded;
        }
        if (session.ExpiresAt <= now || token.ExpiresAt <= now)
        {
            return CoreErrors.ExpiredToken;
        }
        if (user is null || user.Status is UserStatus.Disabled or UserStatus.Deleted)
        {
            End(session, SessionEndReasons.AccountDisabled, now);
            await unitOfWork.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            stateCache.Invalidate(session.Id);
            return CoreErrors.AccountDisabled;
        }

        string refresh;
        if (!session.RotateRefreshTokens)
        {
            // A client that asked for non-rotating refresh keeps its token; the absolute
            // lifetime still applies. Earlier access tokens are superseded.
            session.Generation++;
            refresh = rawRefreshToken;
        }
        else if (token.ConsumedAt is null)
        {
            token.ConsumedAt = now;
            session.Generation++;
            refresh = NewRefreshToken(session, now);
        }
        else if (token.Generation == session.Generation - 1 && now - token.ConsumedAt.Value <= Options.RefreshReuseGrace)
        {
            // Two refreshes raced with the same token: give the loser a sibling of the current
            // generation, so both copies of the app keep working.
            refresh = NewRefreshToken(session, now);
        }
        else
        {
            End(session, SessionEndReasons.RefreshTokenReuse, now);
            audit.Record(time, AuditTypes.RefreshTokenReused, context, session.UserId, clientId: session.ClientId, detail: session.Id);
            await unitOfWork.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            stateCache.Invalidate(session.Id);
            return CoreErrors.SessionEnded;
        }

        session.LastSeenAt = now;
        await unitOfWork.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        stateCache.Invalidate(session.Id);
        // Signed after the commit, outside the writer's turn: the generation is settled.
        var access = await IssueAccessTokenAsync(user, session, client, now, cancellationToken);
        return new TokenPair(access.Token, access.ExpiresAt, refresh, token.ExpiresAt, session.Id);
    }

    /// <summary>Ends one session (sign-out, or the user or an admin ending it).</summary>
    /// <param name="ownerId">When given, the session must belong to this user (else it is not found).</param>
    public async Task<Result> EndAsync(string sessionId, string reason, RequestContext context, string? actorId = null, string? ownerId = null, CancellationToken cancellationToken = default)
    {
        var session = await sessions.FindAsync(sessionId, cancellationToken);
        var now = time.GetUtcNow();
        if (session is null || (ownerId is not null && session.UserId != ownerId))
        {
            return CoreErrors.NotFound;
        }
        if (!session.IsActive(now))
        {
            return CoreErrors.SessionEnded;
        }
        End(session, reason, now);
        audit.Record(time, AuditTypes.SessionEnded, context, session.UserId, actorId, session.ClientId, reason);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        stateCache.Invalidate(sessionId);
        return Result.Ok;
    }

    /// <summary>Ends every session of a user but <paramref name="exceptSessionId"/>, within the current unit of work's transaction.</summary>
    public async Task<int> EndAllAsync(string userId, string reason, RequestContext context, string? exceptSessionId = null, string? actorId = null, CancellationToken cancellationToken = default)
    {
        var ended = await sessions.EndAllAsync(userId, time.GetUtcNow(), reason, exceptSessionId, cancellationToken);
        foreach (var id in ended)
        {
            stateCache.Invalidate(id);
        }
        if (ended.Count > 0)
        {
            audit.Record(time, AuditTypes.SessionEnded, context, userId, actorId, detail: $"{reason}: {ended.Count} session(s)");
        }
        return ended.Count;
    }

    /// <summary>
    /// Drops this instance's cached state of every active session of a user, after a committed
    /// change the bearer check reads of the user (roles, <see cref="User.TokensValidAfter"/>), so
    /// it applies here at once; other instances read it within the cache's bound (under 1 s).
    /// </summary>
    public async Task ForgetCachedStateAsync(string userId, CancellationToken cancellationToken = default)
    {
        foreach (var session in await sessions.ListActiveAsync(userId, time.GetUtcNow(), cancellationToken))
        {
            stateCache.Invalidate(session.Id);
        }
    }

    public Task<IReadOnlyList<Session>> ListActiveAsync(string userId, CancellationToken cancellationToken = default) =>
        sessions.ListActiveAsync(userId, time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Ends the session an access token belongs to, on that token's authority (a revoke
    /// endpoint). Expected failures: <see cref="CoreErrors.SessionEnded"/> when the session is
    /// already over, <see cref="CoreErrors.InvalidToken"/> when a refresh superseded the token
    /// (a stale token no longer speaks for the session).
    /// </summary>
    public async Task<Result> EndSessionOfTokenAsync(AccessTokenClaims claims, string reason, RequestContext context, CancellationToken cancellationToken = default)
    {
        var session = await sessions.FindAsync(claims.SessionId, cancellationToken);
        var now = time.GetUtcNow();
        if (session is null || session.UserId != claims.Subject)
        {
            return CoreErrors.InvalidToken;
        }
        if (!session.IsActive(now))
        {
            return CoreErrors.SessionEnded;
        }
        if (session.Generation != claims.Generation)
        {
            return CoreErrors.InvalidToken;
        }
        return await EndAsync(session.Id, reason, context, claims.Subject, claims.Subject, cancellationToken);
    }

    private string NewRefreshToken(Session session, DateTimeOffset now)
    {
        var raw = SecureTokens.New();
        sessions.AddRefreshToken(RefreshTokenRow(SecureTokens.Hash(raw), session.Id, session.Generation, session.ExpiresAt, now));
        return raw;
    }

    /// <summary>The stored row of a new refresh token: only its hash, never the raw value.</summary>
    private static RefreshToken RefreshTokenRow(string hash, string sessionId, long generation, DateTimeOffset expiresAt, DateTimeOffset now) => new()
    {
        Hash = hash,
        SessionId = sessionId,
        Generation = generation,
        CreatedAt = now,
        ExpiresAt = expiresAt,
    };

    private ValueTask<IssuedAccessToken> IssueAccessTokenAsync(User user, Session session, Client? client, DateTimeOffset now, CancellationToken cancellationToken) =>
        accessTokens.IssueAsync(new AccessTokenDescriptor(
            user.Id,
            user.Number,
            session.Id,
            session.Generation,
            AccessTokenAudiences.For(session.ClientId, session.Surface),
            session.Surface,
            user.RoleList,
            session.TeamId,
            session.SecondFactorPending,
            now,
            now + AccessLifetime(client)), cancellationToken);

    private TimeSpan AccessLifetime(Client? client) => Options.AccessLifetimeFor(client);

    private TimeSpan RefreshLifetime(Client? client) => Options.RefreshLifetimeFor(client);

    private static void End(Session session, string reason, DateTimeOffset now)
    {
        session.EndedAt = now;
        session.EndReason = reason;
    }

    private static string? Truncate(string? value, int max) => value is { Length: > 0 } && value.Length > max ? value[..max] : value;
}
