using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Security;
using Gatehouse.Core.Sessions;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Accounts;

public sealed record SignInResult(User User, TokenPair Tokens);

/// <summary>
/// A second secret a surface accepts in place of the password (arc's cached OTP): true when
/// <paramref name="candidate"/> is one for <paramref name="user"/>, used up as it is checked.
/// </summary>
public delegate Task<bool> AlternativeSecret(User user, string candidate, CancellationToken cancellationToken);

/// <summary>
/// Password sign-in with per-account throttling: after <see cref="SignInOptions.FreeFailures"/>
/// failures each further one doubles a delay before the next try is accepted, and at
/// <see cref="SignInOptions.MaximumConsecutiveFailures"/> the account is locked until a reset
/// (NIST SP 800-63B 5.2.2).
/// </summary>
/// <remarks>
/// Every check of a secret against an account (sign-in, a cached OTP, the current password of a
/// password change) first reserves its attempt in the database
/// (<see cref="IUserRepository.TryReserveSignInAttemptAsync"/>): one statement that counts it
/// as a failure and sets the lock, only while the account is not locked. So guesses sent in
/// parallel count exactly as the same guesses one after another; a success clears the count
/// again when the caller saves. An unknown login, a locked account and a wrong password answer
/// alike (<see cref="CoreErrors.InvalidCredentials"/>) after the same hash, so that neither the
/// answer nor its time tells an attacker that the account exists or is locked.
/// </remarks>
public sealed class SignInService(
    IUserRepository users,
    IUnitOfWork unitOfWork,
    IPasswordHasher hasher,
    SessionService sessions,
    IAuditLog audit,
    TimeProvider time,
    IOptions<SignInOptions> options)
{
    /// <summary>No email or username is longer.</summary>
    public const int MaxLoginLength = 254;

    /// <summary>Longer secrets are refused unhashed (after a hash of a fixed string): no password policy allows them.</summary>
    public const int MaxSecretLength = 1024;

    /// <summary>
    /// What malformed input is hashed as: a fixed string, so that an oversized password costs no
    /// more than any other (the dummy hash fails whatever it is given).
    /// </summary>
    private const string Placeholder = "not a password";

    /// <summary>Checks a login (email or username) and password without starting a session; the caller saves.</summary>
    public Task<Result<User>> VerifyPasswordAsync(string? login, string? password, RequestContext context, CancellationToken cancellationToken = default) =>
        VerifyAsync(login, password, context, null, cancellationToken);

    /// <summary>
    /// Checks a login and a secret: the password, or first the <paramref name="alternative"/>
    /// secret when one is given, inside the same reservation (so the lock is checked before
    /// either, and a wrong one counts). The caller saves: that releases the reservation of a
    /// success.
    /// </summary>
    public async Task<Result<User>> VerifyAsync(string? login, string? secret, RequestContext context, AlternativeSecret? alternative, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(login) || login.Length > MaxLoginLength || string.IsNullOrEmpty(secret) || secret.Length > MaxSecretLength)
        {
            // Malformed input still costs a hash, so that it cannot be told apart by timing.
            await hasher.VerifyAsync(null, Placeholder, cancellationToken);
            return CoreErrors.InvalidCredentials;
        }
        var user = await users.FindByLoginAsync(Normalizer.Email(login), cancellationToken);
        if (user is null || user.Status == UserStatus.Deleted)
        {
            await hasher.VerifyAsync(null, secret, cancellationToken);
            audit.Record(time, AuditTypes.SignInFailed, context, user?.Id, detail: "unknown_user");
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return CoreErrors.InvalidCredentials;
        }
        var verification = await CheckAsync(user, secret, alternative, context, "wrong_password", cancellationToken);
        if (verification == PasswordVerification.Failed)
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return CoreErrors.InvalidCredentials;
        }
        // Only the holder of the right password learns that the account is disabled.
        if (user.Status == UserStatus.Disabled)
        {
            audit.Record(time, AuditTypes.SignInFailed, context, user.Id, detail: "disabled");
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return CoreErrors.AccountDisabled;
        }
        if (verification == PasswordVerification.SuccessRehashNeeded)
        {
            user.PasswordHash = await hasher.HashAsync(secret, cancellationToken);
        }
        return user;
    }

    /// <summary>
    /// Checks the password of a known user (the current password of a password change) under
    /// the same reservation and lock as a sign-in. False for a wrong or oversized password and
    /// while the account is locked, each after a hash; the failure is audited and the caller saves.
    /// </summary>
    public async Task<bool> CheckPasswordAsync(User user, string? password, RequestContext context, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(password) || password.Length > MaxSecretLength)
        {
            // Not a guess worth counting: no password is empty or this long.
            await hasher.VerifyAsync(null, Placeholder, cancellationToken);
            return false;
        }
        return await CheckAsync(user, password, null, context, "wrong_current_password", cancellationToken) != PasswordVerification.Failed;
    }

    /// <summary>
    /// Reserves the attempt, then checks the secret; Failed when the account is locked (after the
    /// dummy hash, so it costs the same) or the secret is wrong (the reservation stays counted).
    /// On success the count is cleared on the tracked user, saved by the caller.
    /// </summary>
    private async Task<PasswordVerification> CheckAsync(User user, string secret, AlternativeSecret? alternative, RequestContext context, string failure, CancellationToken cancellationToken)
    {
        if (!await users.TryReserveSignInAttemptAsync(user, options.Value, time.GetUtcNow(), cancellationToken))
        {
            await hasher.VerifyAsync(null, secret, cancellationToken);
            audit.Record(time, AuditTypes.SignInFailed, context, user.Id, detail: "throttled");
            return PasswordVerification.Failed;
        }
        var verification = alternative is not null && await alternative(user, secret, cancellationToken)
            ? PasswordVerification.Success
            : await hasher.VerifyAsync(user.PasswordHash, secret, cancellationToken);
        if (verification == PasswordVerification.Failed)
        {
            audit.Record(time, AuditTypes.SignInFailed, context, user.Id, detail: failure);
            return PasswordVerification.Failed;
        }
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        return verification;
    }

    /// <summary>Verifies the password and starts a session, saving both together.</summary>
    public async Task<Result<SignInResult>> SignInAsync(string? login, string? password, RequestContext context, Client? client = null, CancellationToken cancellationToken = default)
    {
        var verified = await VerifyPasswordAsync(login, password, context, cancellationToken);
        if (!verified.Succeeded)
        {
            return verified.Error!;
        }
        var user = verified.Value;
        var tokens = await StartSessionAsync(user, client, context, cancellationToken: cancellationToken);
        return new SignInResult(user, tokens);
    }

    /// <summary>Starts a session for a user whose identity is already proven; saves.</summary>
    /// <param name="refreshRules">What every refresh of the session must present besides the refresh token.</param>
    public async Task<TokenPair> StartSessionAsync(User user, Client? client, RequestContext context, RefreshRules refreshRules = RefreshRules.TokenAlone, CancellationToken cancellationToken = default)
    {
        user.LastSignInAt = time.GetUtcNow();
        var tokens = await sessions.StartAsync(user, client, context, refreshRules: refreshRules, cancellationToken: cancellationToken);
        audit.Record(time, AuditTypes.SignInSucceeded, context, user.Id, clientId: client?.ClientId);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return tokens;
    }
}
