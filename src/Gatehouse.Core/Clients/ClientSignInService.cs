using Gatehouse.Core.Accounts;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Clients;

/// <summary>Purposes of the single-use tokens kept by <see cref="ClientSignInService"/>.</summary>
public static class ClientTokenPurposes
{
    /// <summary>An authorization code: bound to a user and a client, single-use, short-lived; payload = client id.</summary>
    public const string AuthorizationCode = "authorization_code";
}

/// <summary>
/// A client a surface depends on: created on its first use and kept with the refresh rotation
/// the surface's wire contract needs (keymetrics' /token hands back the refresh token it got)
/// and as a public or a confidential client (RFC 6749 section 2.1; a public one has no secret).
/// Sessions started on it must present a client id at every refresh: any for a public client,
/// this one for a confidential client.
/// </summary>
public sealed record SurfaceClient(string ClientId, string Name, bool RotateRefreshTokens, bool Public);

/// <summary>A client id and secret as a service presents them (HTTP Basic, RFC 6749 section 2.3.1).</summary>
public sealed record ClientCredentials(string ClientId, string? Secret);

/// <summary>What <c>/me</c>-style routes show: the user, the clients they may use and the session's client.</summary>
public sealed record ClientUserProfile(User User, IReadOnlyList<Client> AllowedClients, Client? CurrentClient);

/// <summary>
/// Sign-in through a registered client: client authentication, users allowed on clients,
/// single-use authorization codes, cached OTPs in place of a password, and refresh bound to the
/// access token issued with it.
/// </summary>
public sealed class ClientSignInService(
    IClientRepository clients,
    IUserRepository users,
    UserReadCache userCache,
    IUserClientRepository userClients,
    ISignInOtpRepository otps,
    ISessionRepository sessionStore,
    IUnitOfWork unitOfWork,
    IAccessTokenService accessTokens,
    OneTimeTokenService oneTimeTokens,
    SignInService signIn,
    SessionService sessions,
    AccountService accounts,
    AdminService admin,
    SignInOtpHasher otpHasher,
    IAuditLog audit,
    TimeProvider time,
    IOptions<TokenOptions> tokenOptions)
{
    /// <summary>
    /// The sessions started here are refreshed with the access token issued with the refresh
    /// token (<see cref="RefreshBoundAsync"/>), on every surface the refresh token is presented to.
    /// </summary>
    private const RefreshRules BoundRefresh = RefreshRules.BoundAccessToken;

    /// <summary>How long a cached OTP is accepted (CONTRACTS.md 001: once, within 15 minutes).</summary>
    public static readonly TimeSpan OtpLifetime = TimeSpan.FromMinutes(15);

    /// <summary>The shortest OTP accepted: a million values, with <see cref="MaxOtpAttempts"/> guesses each.</summary>
    public const int MinOtpLength = 6;

    public const int MaxOtpLength = 128;

    /// <summary>
    /// Sign-in attempts of its user an OTP outlives: each attempt while it is open counts
    /// against it (a guess cannot be told from a password), and after this many it is void.
    /// </summary>
    public const int MaxOtpAttempts = 5;

    /// <summary>A client that exists and is not deleted, or null.</summary>
    public async Task<Client?> FindClientAsync(string? clientId, CancellationToken cancellationToken = default) =>
        string.IsNullOrEmpty(clientId) || clientId.Length > 200 ? null
            : await clients.FindAsync(clientId, cancellationToken) is { IsDeleted: false } client ? client : null;

    /// <summary>Checks a client id and secret (constant-time); <see cref="CoreErrors.InvalidClient"/> otherwise.</summary>
    public async Task<Result<Client>> AuthenticateClientAsync(string? clientId, string? secret, CancellationToken cancellationToken = default)
    {
        var client = await FindClientAsync(clientId, cancellationToken);
        return client is not null && admin.VerifySecret(client, secret) ? client : CoreErrors.InvalidClient;
    }

    /// <summary>
    /// Registers an account and starts its first session on a surface's own client, making sure
    /// that client exists first. An administrator who deleted the client stopped the surface:
    /// <see cref="CoreErrors.InvalidClient"/>.
    /// </summary>
    public async Task<Result<RegistrationResult>> RegisterOnSurfaceClientAsync(SurfaceClient surfaceClient, RegistrationRequest request, RegistrationMode mode, RequestContext context, CancellationToken cancellationToken = default)
    {
        var client = await admin.EnsureClientAsync(surfaceClient.ClientId, surfaceClient.Name, surfaceClient.RotateRefreshTokens, surfaceClient.Public, context, cancellationToken);
        if (!client.Succeeded)
        {
            return CoreErrors.InvalidClient;
        }
        var rules = client.Value.IsPublic ? RefreshRules.AnyClientId : RefreshRules.ClientId;
        return await accounts.RegisterAsync(request, mode with { StartSession = true, SessionClient = client.Value, SessionRefreshRules = rules }, context, cancellationToken);
    }

    /// <summary>Lets a user sign in through a client (idempotent).</summary>
    public async Task<Result> AllowAsync(string userId, string clientId, RequestContext context, string? actorId = null, CancellationToken cancellationToken = default)
    {
        if (await users.FindByIdAsync(userId, cancellationToken) is not { Status: not UserStatus.Deleted } || await FindClientAsync(clientId, cancellationToken) is null)
        {
            return CoreErrors.NotFound;
        }
        if (await userClients.IsAllowedAsync(userId, clientId, cancellationToken))
        {
            return Result.Ok;
        }
        userClients.Add(new UserClient { UserId = userId, ClientId = clientId, CreatedAt = time.GetUtcNow() });
        audit.Record(time, AuditTypes.AdminClientUpdated, context, userId, actorId, clientId, "user_allowed");
        var saved = await unitOfWork.SaveChangesAsync(cancellationToken);
        if (saved.Outcome == SaveOutcome.UniqueViolation)
        {
            // Allowed concurrently: the outcome is the same.
            unitOfWork.Reset();
        }
        return Result.Ok;
    }

    /// <summary>
    /// Stops a user signing in through a client. Sessions already started stay until they end;
    /// an administrator ends them with the user's sessions.
    /// </summary>
    public async Task<Result> DisallowAsync(string userId, string clientId, RequestContext context, string? actorId = null, CancellationToken cancellationToken = default)
    {
        if (await userClients.RemoveAsync(userId, clientId, cancellationToken) == 0)
        {
            return CoreErrors.NotFound;
        }
        audit.Record(time, AuditTypes.AdminClientUpdated, context, userId, actorId, clientId, "user_disallowed");
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return Result.Ok;
    }

    public Task<bool> IsAllowedAsync(string userId, string clientId, CancellationToken cancellationToken = default) =>
        userClients.IsAllowedAsync(userId, clientId, cancellationToken);

    /// <summary>
    /// Checks a login and its password, or a cached OTP given in place of the password, and
    /// that the user is allowed on the client. Both are checked under the account's sign-in
    /// throttling (<see cref="SignInService.VerifyAsync"/>): the lock first, and a wrong one
    /// counts. A user not allowed gets <see cref="CoreErrors.InvalidClient"/>, only after proving
    /// the password.
    /// </summary>
    public async Task<Result<User>> VerifyUserAsync(Client client, string? login, string? password, RequestContext context, CancellationToken cancellationToken = default)
    {
        var verified = await signIn.VerifyAsync(login, password, context, RedeemOtpAsync, cancellationToken);
        if (!verified.Succeeded)
        {
            return verified.Error!;
        }
        var user = verified.Value;
        if (!await userClients.IsAllowedAsync(user.Id, client.ClientId, cancellationToken))
        {
            audit.Record(time, AuditTypes.SignInFailed, context, user.Id, clientId: client.ClientId, detail: "client_not_allowed");
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return CoreErrors.InvalidClient;
        }
        return user;
    }

    /// <summary>Starts a session for a verified user on a client; saves. Its refreshes need the access token issued with the refresh token.</summary>
    public Task<TokenPair> StartSessionAsync(User user, Client client, RequestContext context, CancellationToken cancellationToken = default) =>
        signIn.StartSessionAsync(user, client, context, BoundRefresh, cancellationToken);

    /// <summary>
    /// Issues an authorization code for a verified user on a client. Only its hash is stored;
    /// it expires after the client's code lifetime (default <see cref="TokenOptions.AuthorizationCodeLifetime"/>).
    /// </summary>
    public async Task<string> IssueCodeAsync(User user, Client client, CancellationToken cancellationToken = default)
    {
        var lifetime = tokenOptions.Value.CodeLifetimeFor(client);
        var code = oneTimeTokens.Issue(ClientTokenPurposes.AuthorizationCode, user.Id, null, client.ClientId, lifetime);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return code;
    }

    /// <summary>
    /// Exchanges a code for tokens, once (RFC 6749 section 4.1.2: a code must not be used more
    /// than once). A code of another client, unknown or used: <see cref="CoreErrors.InvalidCredentials"/>;
    /// expired: <see cref="CoreErrors.ExpiredToken"/>; unknown client: <see cref="CoreErrors.InvalidClient"/>.
    /// </summary>
    public async Task<Result<TokenPair>> ExchangeCodeAsync(string? code, string? clientId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var client = await FindClientAsync(clientId, cancellationToken);
        if (client is null)
        {
            return CoreErrors.InvalidClient;
        }
        var peeked = await oneTimeTokens.PeekAsync(ClientTokenPurposes.AuthorizationCode, code, cancellationToken);
        if (!peeked.Succeeded)
        {
            return peeked.Error!.Code == CoreErrors.ExpiredTokenCode ? CoreErrors.ExpiredToken : CoreErrors.InvalidCredentials;
        }
        // Checked before redeeming, so another client cannot burn a code it does not own.
        if (!string.Equals(peeked.Value.Payload, client.ClientId, StringComparison.Ordinal) || peeked.Value.UserId is null)
        {
            return CoreErrors.InvalidCredentials;
        }
        var redeemed = await oneTimeTokens.RedeemAsync(ClientTokenPurposes.AuthorizationCode, code, cancellationToken);
        if (!redeemed.Succeeded)
        {
            return redeemed.Error!.Code == CoreErrors.ExpiredTokenCode ? CoreErrors.ExpiredToken : CoreErrors.InvalidCredentials;
        }
        var user = await users.FindByIdAsync(peeked.Value.UserId, cancellationToken);
        if (user is null || user.Status == UserStatus.Deleted)
        {
            return CoreErrors.InvalidCredentials;
        }
        if (user.Status == UserStatus.Disabled)
        {
            return CoreErrors.AccountDisabled;
        }
        if (!await userClients.IsAllowedAsync(user.Id, client.ClientId, cancellationToken))
        {
            return CoreErrors.InvalidClient;
        }
        return await signIn.StartSessionAsync(user, client, context, BoundRefresh, cancellationToken);
    }

    /// <summary>
    /// Refreshes with the access token that was issued with the refresh token (it may have
    /// expired, but must be ours). Unknown, used or expired refresh token:
    /// <see cref="CoreErrors.ExpiredToken"/>; missing, foreign or non-matching access token:
    /// <see cref="CoreErrors.InvalidToken"/>.
    /// </summary>
    public async Task<Result<TokenPair>> RefreshBoundAsync(string? refreshToken, string? accessToken, RequestContext context, CancellationToken cancellationToken = default)
    {
        var presented = await sessions.FindRefreshTokenAsync(refreshToken, cancellationToken);
        if (presented is null)
        {
            return CoreErrors.ExpiredToken;
        }
        var read = string.IsNullOrEmpty(accessToken) ? AccessTokenReadResult.Invalid : await accessTokens.ReadAsync(accessToken, cancellationToken);
        if (read.Status == AccessTokenStatus.Invalid || read.Claims is null)
        {
            return CoreErrors.InvalidToken;
        }
        var refreshed = await sessions.RefreshAsync(presented, context, read.Claims, cancellationToken);
        if (refreshed.Succeeded)
        {
            return refreshed;
        }
        return refreshed.Error!.Code == CoreErrors.InvalidTokenCode ? CoreErrors.InvalidToken : CoreErrors.ExpiredToken;
    }

    /// <summary>
    /// Checks that a refresh token is live and belongs to the given session. Unknown, used or
    /// expired: <see cref="CoreErrors.ExpiredToken"/>; another session's: <see cref="CoreErrors.InvalidToken"/>.
    /// </summary>
    public async Task<Result> CheckRefreshTokenAsync(string refreshToken, string sessionId, CancellationToken cancellationToken = default)
    {
        if (refreshToken.Length > 512)
        {
            return CoreErrors.ExpiredToken;
        }
        var token = await sessionStore.FindRefreshTokenAsync(SecureTokens.Hash(refreshToken), cancellationToken);
        if (token is null || token.ConsumedAt is not null || token.ExpiresAt <= time.GetUtcNow())
        {
            return CoreErrors.ExpiredToken;
        }
        return token.SessionId == sessionId ? Result.Ok : CoreErrors.InvalidToken;
    }

    /// <summary>
    /// Who may manage cached sign-in OTPs (CONTRACTS.md 001, secure; the original left them open,
    /// which let anyone set a password for anyone): an administrator's first-party token, or a trusted
    /// service, one of <paramref name="trustedClients"/>, proving its client secret. Returns the
    /// actor the audit log records. A caller who is neither: <see cref="CoreErrors.Forbidden"/>;
    /// a trusted client with a wrong secret: <see cref="CoreErrors.InvalidClient"/>.
    /// </summary>
    public async Task<Result<string>> AuthorizeOtpCallerAsync(AccessTokenClaims? administrator, ClientCredentials? service, IReadOnlySet<string> trustedClients, CancellationToken cancellationToken = default)
    {
        if (service is null)
        {
            // A first-party token's administrator only: a client's token never administers.
            return administrator is not null && AccessTokenAudiences.GrantsAdministration(administrator)
                ? administrator.Subject
                : CoreErrors.Forbidden;
        }
        // The list is checked first, so an untrusted client learns nothing about its secret.
        if (!trustedClients.Contains(service.ClientId))
        {
            return CoreErrors.Forbidden;
        }
        var client = await AuthenticateClientAsync(service.ClientId, service.Secret, cancellationToken);
        return client.Succeeded ? "client:" + service.ClientId : CoreErrors.InvalidClient;
    }

    /// <summary>The signed-in user, the clients they may use and the client of the token's audience.</summary>
    public async Task<Result<ClientUserProfile>> ProfileAsync(string userId, string? audience, CancellationToken cancellationToken = default)
    {
        var user = await userCache.GetAsync(userId, cancellationToken);
        if (user is null || user.Status == UserStatus.Deleted)
        {
            return CoreErrors.NotFound;
        }
        var allowed = await userClients.ListClientsAsync(userId, cancellationToken);
        var current = await FindClientAsync(audience, cancellationToken);
        return new ClientUserProfile(user, allowed, current);
    }

    /// <summary>
    /// A reset requested through a client (ARC's forget-password): the client must authenticate
    /// (<see cref="CoreErrors.InvalidClient"/>); an unknown, disabled or deleted login is
    /// <see cref="CoreErrors.InvalidCredentials"/> and an account without email a validation
    /// failure on <c>email</c>; then the reset link is emailed (<see cref="CoreErrors.RateLimited"/>
    /// when too many were sent).
    /// </summary>
    public async Task<Result<User>> RequestPasswordResetAsync(string? clientId, string? clientSecret, string? login, string? linkTemplate, RequestContext context, CancellationToken cancellationToken = default)
    {
        var client = await AuthenticateClientAsync(clientId, clientSecret, cancellationToken);
        if (!client.Succeeded)
        {
            return client.Error!;
        }
        if (string.IsNullOrWhiteSpace(login) || login.Length > 254)
        {
            return CoreErrors.InvalidCredentials;
        }
        var user = await users.FindByLoginAsync(Normalizer.Email(login), cancellationToken);
        if (user is null || user.Status is UserStatus.Deleted or UserStatus.Disabled)
        {
            return CoreErrors.InvalidCredentials;
        }
        if (user.Email is null)
        {
            return CoreErrors.Validation("email", "required", "The user has no email address.");
        }
        var requested = await accounts.RequestPasswordResetAsync(login, linkTemplate, context, cancellationToken);
        return requested.Succeeded || requested.Error!.Code == CoreErrors.RateLimitedCode ? requested : CoreErrors.InvalidCredentials;
    }

    /// <summary>A reset completed through a client (ARC's reset-password): the client must authenticate first.</summary>
    public async Task<Result<User>> ResetPasswordAsync(string? clientId, string? clientSecret, string? token, string? newPassword, RequestContext context, CancellationToken cancellationToken = default)
    {
        var client = await AuthenticateClientAsync(clientId, clientSecret, cancellationToken);
        return client.Succeeded ? await accounts.ResetPasswordAsync(token, newPassword, context, cancellationToken) : client.Error!;
    }

    /// <summary>
    /// The client, then the user on it (<see cref="VerifyUserAsync"/>): the start of a sign-in
    /// through a client. A wrong client is refused before any password is checked.
    /// </summary>
    public async Task<Result<(User User, Client Client)>> VerifyAsync(string? clientId, string? clientSecret, string? login, string? password, RequestContext context, CancellationToken cancellationToken = default)
    {
        var client = await AuthenticateClientAsync(clientId, clientSecret, cancellationToken);
        if (!client.Succeeded)
        {
            return client.Error!;
        }
        var user = await VerifyUserAsync(client.Value, login, password, context, cancellationToken);
        return user.Succeeded ? (user.Value, client.Value) : user.Error!;
    }

    /// <summary>
    /// Caches an OTP for a login (administrators or trusted services only: the adapter checks).
    /// It replaces an equal open OTP of the same user and is accepted once within <see cref="OtpLifetime"/>.
    /// </summary>
    public async Task<Result<SignInOtp>> CacheOtpAsync(string? login, string? otp, RequestContext context, string? actorId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(otp) || otp.Length is < MinOtpLength or > MaxOtpLength)
        {
            return CoreErrors.Validation("otp", "invalid", $"The OTP must be {MinOtpLength} to {MaxOtpLength} characters.");
        }
        if (string.IsNullOrWhiteSpace(login) || login.Length > 254 || await users.FindByLoginAsync(Normalizer.Email(login), cancellationToken) is not { Status: not UserStatus.Deleted } user)
        {
            return CoreErrors.NotFound;
        }
        var hash = await otpHasher.HashAsync(user.Id, otp, cancellationToken);
        if (await otps.FindByHashAsync(hash, cancellationToken) is { } existing)
        {
            otps.Remove(existing);
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
        var now = time.GetUtcNow();
        var entry = new SignInOtp
        {
            Id = SecureTokens.NewId("otp"),
            UserId = user.Id,
            Username = login.Trim(),
            Hash = hash,
            CreatedAt = now,
            ExpiresAt = now + OtpLifetime,
        };
        otps.Add(entry);
        audit.Record(time, AuditTypes.AdminUserUpdated, context, user.Id, actorId, detail: "otp_cached");
        var saved = await unitOfWork.SaveChangesAsync(cancellationToken);
        if (saved.Outcome == SaveOutcome.UniqueViolation)
        {
            unitOfWork.Reset();
            return new CoreError(CoreErrors.ConflictCode, "The same OTP was cached concurrently.");
        }
        return entry;
    }

    public async Task<Result<SignInOtp>> GetOtpAsync(string id, CancellationToken cancellationToken = default) =>
        id.Length <= 100 && await otps.FindAsync(id, cancellationToken) is { } otp ? otp : CoreErrors.NotFound;

    public async Task<Result> DeleteOtpAsync(string id, RequestContext context, string? actorId, CancellationToken cancellationToken = default)
    {
        if (id.Length > 100 || await otps.FindAsync(id, cancellationToken) is not { } otp)
        {
            return CoreErrors.NotFound;
        }
        otps.Remove(otp);
        audit.Record(time, AuditTypes.AdminUserUpdated, context, otp.UserId, actorId, detail: "otp_deleted");
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return Result.Ok;
    }

    /// <summary>
    /// Whether the candidate is an open cached OTP of the user, using it up; called inside the
    /// sign-in's reservation, so a locked account never gets here. Counts the attempt against
    /// every open OTP of the user in the same statement.
    /// </summary>
    private async Task<bool> RedeemOtpAsync(User user, string candidate, CancellationToken cancellationToken)
    {
        if (candidate.Length is < MinOtpLength or > MaxOtpLength)
        {
            // Cannot be an OTP: not a guess at one either.
            return false;
        }
        var hash = await otpHasher.HashAsync(user.Id, candidate, cancellationToken);
        // Atomic: of two concurrent sign-ins with one OTP exactly one succeeds.
        return await otps.TryRedeemAsync(user.Id, hash, time.GetUtcNow(), MaxOtpAttempts, cancellationToken);
    }
}
