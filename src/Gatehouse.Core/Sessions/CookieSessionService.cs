using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Sessions;

/// <summary>What a surface puts in its cookie: the raw secret (never stored) and when the session ends.</summary>
public sealed record CookieSessionTicket(string Secret, string SessionId, DateTimeOffset ExpiresAt);

/// <summary>A user signed in (or registered) into a new cookie session.</summary>
public sealed record CookieSignIn(User User, CookieSessionTicket Ticket);

/// <summary>The user behind a live cookie session.</summary>
public sealed record CookieSessionCaller(User User, string SessionId);

/// <summary>
/// Cookie sessions, for surfaces that keep the user signed in with a browser cookie instead of
/// bearer tokens (dialect ccx; hosted pages later). The cookie carries an opaque 256-bit random
/// secret that is stored only as its SHA-256 (ASVS 5.0 V7.2), never a JWT and never the user
/// id. A cookie session is an ordinary <see cref="Session"/> without refresh tokens, so
/// everything that ends sessions (sign-out, password change or reset, an administrator, a
/// disabled account) ends it too, and the liveness check is the bearer check's
/// <see cref="SessionStateCache"/>.
/// </summary>
public sealed class CookieSessionService(
    ISessionRepository sessions,
    ISessionSecretReader secrets,
    SessionStateCache stateCache,
    SessionService sessionService,
    SignInService signIn,
    AccountService accounts,
    IUserRepository users,
    IUnitOfWork unitOfWork,
    IAuditLog audit,
    TimeProvider time,
    IOptions<TokenOptions> options)
{
    /// <summary>Secrets are 43 characters; anything much longer is not one of ours.</summary>
    private const int MaxSecretLength = 128;

    /// <summary>
    /// Adds a new cookie session to the unit of work (the caller saves) and returns its secret.
    /// It lasts <see cref="TokenOptions.RefreshTokenLifetime"/>, the absolute session lifetime.
    /// </summary>
    public CookieSessionTicket Start(User user, RequestContext context)
    {
        var now = time.GetUtcNow();
        var secret = SecureTokens.New();
        var session = new Session
        {
            Id = SecureTokens.NewId("ses"),
            UserId = user.Id,
            Surface = context.Surface,
            DeviceId = Truncate(context.DeviceId, 200),
            UserAgent = Truncate(context.UserAgent, 500),
            IpAddress = context.IpAddress,
            // No refresh tokens are ever issued for a cookie session.
            RotateRefreshTokens = false,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
            SecretHash = SecureTokens.Hash(secret),
        };
        sessions.Add(session);
        return new CookieSessionTicket(secret, session.Id, session.ExpiresAt);
    }

    /// <summary>
    /// Verifies the password and starts a cookie session, saving both together. A previous
    /// cookie session of the same browser (<paramref name="previousSecret"/>) ends, so signing
    /// in again never leaves an orphaned session behind.
    /// </summary>
    public async Task<Result<CookieSignIn>> SignInAsync(string? login, string? password, string? previousSecret, RequestContext context, CancellationToken cancellationToken = default)
    {
        var verified = await signIn.VerifyPasswordAsync(login, password, context, cancellationToken);
        if (!verified.Succeeded)
        {
            return verified.Error!;
        }
        var user = verified.Value;
        user.LastSignInAt = time.GetUtcNow();
        var ticket = Start(user, context);
        audit.Record(time, AuditTypes.SignInSucceeded, context, user.Id);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        if (previousSecret is not null)
        {
            await EndAsync(previousSecret, context, cancellationToken);
        }
        return new CookieSignIn(user, ticket);
    }

    /// <summary>Registers an account and starts its first cookie session in one transaction.</summary>
    public async Task<Result<CookieSignIn>> RegisterAsync(RegistrationRequest request, RegistrationMode mode, RequestContext context, CancellationToken cancellationToken = default)
    {
        await using var transaction = await unitOfWork.BeginTransactionAsync(cancellationToken);
        var registered = await accounts.RegisterAsync(request, mode with { StartSession = false }, context, cancellationToken);
        if (!registered.Succeeded)
        {
            return registered.Error!;
        }
        var user = registered.Value.User;
        user.LastSignInAt = time.GetUtcNow();
        var ticket = Start(user, context);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CookieSignIn(user, ticket);
    }

    /// <summary>
    /// The user of a live cookie session. Refused: an unknown secret (<see cref="CoreErrors.InvalidToken"/>),
    /// an ended or expired session (<see cref="CoreErrors.SessionEnded"/>, within the cache's
    /// bound when it ended on another instance), a disabled or deleted account.
    /// </summary>
    public async Task<Result<CookieSessionCaller>> ResolveAsync(string? secret, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > MaxSecretLength)
        {
            return CoreErrors.InvalidToken;
        }
        var match = await secrets.FindAsync(SecureTokens.Hash(secret), cancellationToken);
        if (match is null)
        {
            return CoreErrors.InvalidToken;
        }
        var state = await stateCache.GetAsync(match.SessionId, cancellationToken);
        if (!state.Active)
        {
            return CoreErrors.SessionEnded;
        }
        var user = await users.FindByIdAsync(match.UserId, cancellationToken);
        if (user is null || user.Status is UserStatus.Disabled or UserStatus.Deleted)
        {
            return CoreErrors.AccountDisabled;
        }
        return new CookieSessionCaller(user, match.SessionId);
    }

    /// <summary>Ends the cookie session of a secret (sign-out). Unknown or already ended: not found / session ended.</summary>
    public async Task<Result> EndAsync(string? secret, RequestContext context, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > MaxSecretLength)
        {
            return CoreErrors.NotFound;
        }
        var match = await secrets.FindAsync(SecureTokens.Hash(secret), cancellationToken);
        if (match is null)
        {
            return CoreErrors.NotFound;
        }
        return await sessionService.EndAsync(match.SessionId, SessionEndReasons.SignOut, context, actorId: match.UserId, ownerId: match.UserId, cancellationToken: cancellationToken);
    }

    private static string? Truncate(string? value, int max) => value is { Length: > 0 } && value.Length > max ? value[..max] : value;
}
