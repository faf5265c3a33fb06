using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Security;
using Gatehouse.Core.Sessions;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Accounts;

public sealed record SignInResult(User User, TokenPair Tokens);

/// <summary>
/// Password sign-in with per-account throttling: after <see cref="SignInOptions.FreeFailures"/>
/// failures each further one doubles a delay before the next try is accepted, and at
/// <see cref="SignInOptions.MaximumConsecutiveFailures"/> the account is locked until a reset
/// (NIST SP 800-63B 5.2.2).
/// </summary>
public sealed class SignInService(
    IUserRepository users,
    IUnitOfWork unitOfWork,
    IPasswordHasher hasher,
    SessionService sessions,
    IAuditLog audit,
    TimeProvider time,
    IOptions<SignInOptions> options)
{
    /// <summary>Checks a login (email or username) and password without starting a session.</summary>
    public async Task<Result<User>> VerifyPasswordAsync(string? login, string? password, RequestContext context, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(login) || login.Length > 254 || string.IsNullOrEmpty(password) || password.Length > 1024)
        {
            // Malformed input still costs a hash, so that it cannot be told apart by timing.
            await hasher.VerifyAsync(null, password ?? "", cancellationToken);
            return CoreErrors.InvalidCredentials;
        }
        var user = await users.FindByLoginAsync(Normalizer.Email(login), cancellationToken);
        var now = time.GetUtcNow();
        if (user is null || user.Status == UserStatus.Deleted)
        {
            await hasher.VerifyAsync(null, password, cancellationToken);
            audit.Record(time, AuditTypes.SignInFailed, context, user?.Id, detail: "unknown_user");
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return CoreErrors.InvalidCredentials;
        }
        if (user.LockedUntil is { } lockedUntil && lockedUntil > now)
        {
            await hasher.VerifyAsync(null, password, cancellationToken);
            audit.Record(time, AuditTypes.SignInFailed, context, user.Id, detail: "throttled");
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return CoreErrors.AccountLocked;
        }
        var verification = await hasher.VerifyAsync(user.PasswordHash, password, cancellationToken);
        if (verification == PasswordVerification.Failed)
        {
            RecordFailure(user, now);
            audit.Record(time, AuditTypes.SignInFailed, context, user.Id, detail: "wrong_password");
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
            user.PasswordHash = await hasher.HashAsync(password, cancellationToken);
        }
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        return user;
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

    private void RecordFailure(User user, DateTimeOffset now)
    {
        var o = options.Value;
        user.FailedSignIns++;
        if (user.FailedSignIns >= o.MaximumConsecutiveFailures)
        {
            user.LockedUntil = DateTimeOffset.MaxValue;
        }
        else if (user.FailedSignIns > o.FreeFailures)
        {
            var exponent = Math.Min(30, user.FailedSignIns - o.FreeFailures - 1);
            var delay = TimeSpan.FromTicks(Math.Min(o.MaximumDelay.Ticks, o.FirstDelay.Ticks * (1L << exponent)));
            user.LockedUntil = now + delay;
        }
    }
}
