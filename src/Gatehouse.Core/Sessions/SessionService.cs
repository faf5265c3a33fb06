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
    SuccessorVault successors,
    IAuditLog audit,
    TimeProvider time,
    IOptions<TokenOptions> options)
{
    private TokenOptions Options => options.Value;

    /// <summary>
    /// Adds a new session and its first refresh token to the unit of work (the caller saves) and
    /// returns its tokens.
    /// </summary>
    /// <param name="refreshRules">What every refresh of the session must present besides the refresh token, wherever it is presented.</param>
    public async Task<TokenPair> StartAsync(User user, Client? client, RequestContext context, bool secondFactorPending = false, RefreshRules refreshRules = RefreshRules.TokenAlone, CancellationToken cancellationToken = default)
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
            RefreshRules = refreshRules,
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
    /// previous token within <see cref="TokenOptions.RefreshReuseGrace"/>, which gets back the
    /// successor already issued (never a second one). What comes with the token must satisfy the
    /// session's <see cref="Session.RefreshRules"/>, whichever surface it is presented to.
    /// </summary>
    /// <param name="boundTo">When given, the access token that must have been issued with this refresh token.</param>
    /// <param name="clientId">The client id presented with the token, if the surface takes one.</param>
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
        // The successor's random value is drawn here, and sealed for the consumed token's row (a
        // replay within the grace gets this same value back); the plan below only fills in rows.
        var successor = new Successor(SecureTokens.New(), hash, successors);

        // The common case, a live token of a live session: the store reads the token and, when
        // this plan allows it, rotates it in the same step, with no locks held while deciding.
        // Anything else (a reused or raced token, an ended or expired session, a disabled
        // account, a non-rotating session, what came with the token not matching the session's
        // rules), or losing a race in the write, takes the locked path below, which decides
        // every case.
        var attempt = await rotations.RotateAsync(hash, found =>
            found.TokenConsumedAt is null && found.TokenGeneration == found.SessionGeneration
            && found.SessionEndedAt is null && found.RotateRefreshTokens
            && found.SessionExpiresAt > now && found.TokenExpiresAt > now
            && found.UserStatus is not (UserStatus.Disabled or UserStatus.Deleted)
            && Admits(found.RefreshRules, found.ClientId, found.SessionId, found.TokenGeneration, clientId, boundTo)
            && !RecordsClientId(found.RefreshRules, found.ClientId, clientId)
                ? new RefreshRotation(hash, found.SessionId, found.SessionGeneration, now,
                    RefreshTokenRow(successor.Hash, found.SessionId, found.SessionGeneration + 1, found.SessionExpiresAt, now), successor.Sealed)
                : null, cancellationToken);
        var snapshot = attempt.Snapshot;
        // A token presented without what its session requires is refused as it is, and stays usable.
        if (snapshot is null || !Admits(snapshot.RefreshRules, snapshot.ClientId, snapshot.SessionId,
                snapshot.RotateRefreshTokens ? snapshot.TokenGeneration : snapshot.SessionGeneration, clientId, boundTo))
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
            return new TokenPair(issued.Token, issued.ExpiresAt, successor.Raw, rotation.Successor.ExpiresAt, snapshot.SessionId);
        }
        return await RefreshLockedAsync(rawRefreshToken, hash, successor, snapshot, client, context, boundTo, clientId, cancellationToken);
    }

    private async Task<Result<TokenPair>> RefreshLockedAsync(string rawRefreshToken, string hash, Successor successor, RefreshSnapshot found, Client? client, RequestContext context, AccessTokenClaims? boundTo, string? clientId, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(found.UserId, cancellationToken);
        await using var transaction = await unitOfWork.BeginTransactionAsync(cancellationToken);
        // Locking the session row first serialises concurrent refreshes of one session, so each
        // sees the other's rotation.
        var session = await sessions.FindForUpdateAsync(found.SessionId, cancellationToken);
        var token = await sessions.FindRefreshTokenAsync(hash, cancellationToken);
        var now = time.GetUtcNow();
        if (session is null || token is null
            || !Admits(session.RefreshRules, session.ClientId, session.Id, session.RotateRefreshTokens ? token.Generation : session.Generation, clientId, boundTo))
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
        var write = true;
        if (!session.RotateRefreshTokens)
        {
            // A client that asked for non-rotating refresh keeps its token; the absolute lifetime
            // still applies. The generation stays: every access token of the session lives until
            // it expires or the session ends (several clients may share one refresh token).
            refresh = rawRefreshToken;
        }
        else if (token.ConsumedAt is null && token.Generation == session.Generation)
        {
            token.ConsumedAt = now;
            // Sealed again as of now: the grace counts from this consumption, and the seal must last as long.
            token.SealedSuccessor = successors.Seal(successor.Raw, hash);
            session.Generation++;
            sessions.AddRefreshToken(RefreshTokenRow(successor.Hash, session.Id, session.Generation, session.ExpiresAt, now));
            refresh = successor.Raw;
        }
        else if (token.ConsumedAt is { } consumedAt && token.Generation == session.Generation - 1 && now - consumedAt <= Options.RefreshReuseGrace)
        {
            // RFC 9700 section 4.14: the immediately previous token within the grace (two copies
            // of an app raced, or the answer to the first refresh was lost) gets the successor
            // already issued, which is still the live token, never a second chain. Sealed by
            // another instance or before a restart, it cannot be opened: refused, and the
            // session stays as it is.
            if (token.SealedSuccessor is null || successors.Open(token.SealedSuccessor, hash) is not { } issued)
            {
                return CoreErrors.InvalidToken;
            }
            refresh = issued;
            write = false;
        }
        else
        {
            // Reuse: an older token, a replay after the grace, or a token left unconsumed behind
            // the session's generation (a second chain; none is issued any more).
            End(session, SessionEndReasons.RefreshTokenReuse, now);
            audit.Record(time, AuditTypes.RefreshTokenReused, context, session.UserId, clientId: session.ClientId, detail: session.Id);
            await unitOfWork.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            stateCache.Invalidate(session.Id);
            return CoreErrors.SessionEnded;
        }

        if (RecordsClientId(session.RefreshRules, session.ClientId, clientId))
        {
            // A public client's id proves nothing, but the id presented is worth keeping.
            audit.Record(time, AuditTypes.PublicClientIdPresented, context, session.UserId, clientId: session.ClientId, detail: Truncate(clientId, 200));
            write = true;
        }
        if (write)
        {
            session.LastSeenAt = now;
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        stateCache.Invalidate(session.Id);
        // Signed after the commit, outside the writer's turn: the generation is settled.
        var access = await IssueAccessTokenAsync(user, session, client, now, cancellationToken);
        return new TokenPair(access.Token, access.ExpiresAt, refresh, token.ExpiresAt, session.Id);
    }

    /// <summary>
    /// Whether what came with a refresh token satisfies its session's rules: the client id the
    /// session requires (its own, or any for a public client; a client id presented where none
    /// is required must still be the session's), and the access token issued with the refresh
    /// token when the session requires one (one presented anyway must match too).
    /// </summary>
    private static bool Admits(RefreshRules rules, string? sessionClientId, string sessionId, long boundGeneration, string? clientId, AccessTokenClaims? boundTo)
    {
        if ((rules & RefreshRules.AnyClientId) != 0)
        {
            if (string.IsNullOrEmpty(clientId))
            {
                return false;
            }
        }
        else if (((rules & RefreshRules.ClientId) != 0 || clientId is not null) && !string.Equals(clientId, sessionClientId, StringComparison.Ordinal))
        {
            return false;
        }
        return boundTo is null
            ? (rules & RefreshRules.BoundAccessToken) == 0
            : boundTo.SessionId == sessionId && boundTo.Generation == boundGeneration;
    }

    /// <summary>Whether a refresh presents a public client's session with an id other than its client's, which the locked path records.</summary>
    private static bool RecordsClientId(RefreshRules rules, string? sessionClientId, string? clientId) =>
        (rules & RefreshRules.AnyClientId) != 0 && !string.Equals(clientId, sessionClientId, StringComparison.Ordinal);

    /// <summary>The successor a refresh would issue: its raw value, its hash and its value sealed for the presented token's row.</summary>
    private readonly struct Successor(string raw, string consumedHash, SuccessorVault vault)
    {
        public string Raw { get; } = raw;
        public string Hash { get; } = SecureTokens.Hash(raw);
        public string Sealed { get; } = vault.Seal(raw, consumedHash);
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
