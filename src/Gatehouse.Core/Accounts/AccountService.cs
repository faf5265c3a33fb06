using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Security;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Accounts;

public sealed record RegistrationResult(User User, TokenPair? Tokens);

/// <summary>Account use cases: register, confirm email, change and reset the password, edit the profile.</summary>
public sealed class AccountService(
    IUserRepository users,
    IUnitOfWork unitOfWork,
    IPasswordHasher hasher,
    IPasswordPolicy policy,
    OneTimeTokenService oneTimeTokens,
    MailOutbox mail,
    SessionService sessions,
    SignInService signIn,
    IAuditLog audit,
    TimeProvider time,
    IOptions<RegistrationOptions> registration,
    IOptions<LinkOptions> links,
    IOptions<MailLimitOptions> mailLimits)
{
    public const int MaxNameLength = 100;
    public const int MaxTextLength = 2000;

    public async Task<Result<RegistrationResult>> RegisterAsync(RegistrationRequest request, RegistrationMode mode, RequestContext context, CancellationToken cancellationToken = default)
    {
        if (!mode.ByAdministrator && !registration.Value.Enabled)
        {
            return CoreErrors.RegistrationDisabled;
        }
        var problems = Validate(request, passwordRequired: true, mode.Rules);
        if (problems.Count > 0)
        {
            return CoreErrors.Validation(problems);
        }
        var email = request.Email?.Trim();
        if (email is not null)
        {
            var existing = await users.FindByEmailAsync(Normalizer.Email(email), cancellationToken);
            if (existing is not null)
            {
                return existing.Status == UserStatus.Deleted ? CoreErrors.AccountDeleted : CoreErrors.EmailTaken;
            }
        }

        var passwordHash = request.Password is null ? null : await hasher.HashAsync(request.Password, cancellationToken);
        var now = time.GetUtcNow();
        var user = new User
        {
            Id = SecureTokens.NewId("usr"),
            Email = email,
            NormalizedEmail = email is null ? null : Normalizer.Email(email),
            EmailConfirmed = mode.EmailConfirmed,
            Username = request.Username?.Trim(),
            NormalizedUsername = request.Username is null ? null : Normalizer.Username(request.Username),
            PasswordHash = passwordHash,
            FirstName = Clean(request.FirstName),
            MiddleName = Clean(request.MiddleName),
            LastName = Clean(request.LastName),
            Phone = Clean(request.Phone),
            Company = Clean(request.Company),
            JobTitle = Clean(request.JobTitle),
            Roles = string.Join(' ', mode.Roles.Distinct(StringComparer.Ordinal)),
            Status = UserStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
        };
        users.Add(user);
        if (email is not null && mode.SendConfirmation && !mode.EmailConfirmed)
        {
            QueueConfirmation(user, mode.ConfirmationLinkTemplate);
        }
        audit.Record(time, AuditTypes.Registered, context, user.Id);
        TokenPair? tokens = null;
        if (mode.StartSession)
        {
            user.LastSignInAt = now;
            tokens = await sessions.StartAsync(user, mode.SessionClient, context, refreshRules: mode.SessionRefreshRules, cancellationToken: cancellationToken);
        }

        var saved = await unitOfWork.SaveChangesAsync(cancellationToken);
        if (saved.Outcome == SaveOutcome.UniqueViolation)
        {
            unitOfWork.Reset();
            return saved.Constraint?.Contains("username", StringComparison.OrdinalIgnoreCase) == true ? CoreErrors.UsernameTaken : CoreErrors.EmailTaken;
        }
        return new RegistrationResult(user, tokens);
    }

    /// <summary>Emails a new confirmation link (older links keep working until they expire).</summary>
    public async Task<Result> RequestEmailConfirmationAsync(string userId, string? linkTemplate = null, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(userId, cancellationToken);
        if (user is null || user.Email is null || user.Status == UserStatus.Deleted)
        {
            return CoreErrors.NotFound;
        }
        if (user.EmailConfirmed)
        {
            return Result.Ok;
        }
        if (!await oneTimeTokens.MaySendAsync(TokenPurposes.EmailConfirmation, user.Id, mailLimits.Value.PerAccountEmailsPerHour, cancellationToken))
        {
            return CoreErrors.RateLimited;
        }
        QueueConfirmation(user, linkTemplate);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return Result.Ok;
    }

    public async Task<Result<User>> ConfirmEmailAsync(string? token, RequestContext context, CancellationToken cancellationToken = default)
    {
        await using var transaction = await unitOfWork.BeginTransactionAsync(cancellationToken);
        var redeemed = await oneTimeTokens.RedeemAsync(TokenPurposes.EmailConfirmation, token, cancellationToken);
        if (!redeemed.Succeeded)
        {
            return redeemed.Error!;
        }
        var user = redeemed.Value.UserId is null ? null : await users.FindByIdAsync(redeemed.Value.UserId, cancellationToken);
        // A link proves the address it was sent to, not one the account changed to since.
        if (user is null || user.Status == UserStatus.Deleted || !string.Equals(user.Email, redeemed.Value.Email, StringComparison.OrdinalIgnoreCase))
        {
            return CoreErrors.InvalidToken;
        }
        user.EmailConfirmed = true;
        if (user.Status == UserStatus.Pending)
        {
            user.Status = UserStatus.Active;
        }
        user.UpdatedAt = time.GetUtcNow();
        audit.Record(time, AuditTypes.EmailConfirmed, context, user.Id);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    /// <summary>Changes the password; the current one is required. Other sessions end.</summary>
    /// <param name="keepSessionId">The session to keep (the caller's), or null to end them all.</param>
    /// <param name="requireCurrentPassword">
    /// False only when the adapter's contract lets a caller who proved a live session and its
    /// refresh token change the password without the current one (a given current password is
    /// still checked).
    /// </param>
    /// <param name="assertedLogin">
    /// When the request names whose password it changes (ARC sends a username): it must be the
    /// caller's own username or email, compared case-insensitively, else <see cref="CoreErrors.Forbidden"/>.
    /// </param>
    public async Task<Result> ChangePasswordAsync(string userId, string? currentPassword, string? newPassword, string? keepSessionId, RequestContext context, CancellationToken cancellationToken = default, bool requireCurrentPassword = true, string? assertedLogin = null)
    {
        var user = await users.FindByIdAsync(userId, cancellationToken);
        if (user is null || user.Status == UserStatus.Deleted)
        {
            return CoreErrors.NotFound;
        }
        if (assertedLogin is not null && !IsOwnLogin(user, assertedLogin.Trim()))
        {
            return CoreErrors.Forbidden;
        }
        if (user.PasswordHash is null)
        {
            return CoreErrors.NoPassword;
        }
        var checkedCurrent = requireCurrentPassword || currentPassword is not null;
        // Throttled as a sign-in: the attempt is reserved before the hash, a wrong password
        // counts towards the lock, and a locked account answers as a wrong password.
        if (checkedCurrent && !await signIn.CheckPasswordAsync(user, currentPassword, context, cancellationToken))
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return CoreErrors.WrongPassword;
        }
        var set = await SetPasswordAsync(user, newPassword, keepSessionId, AuditTypes.PasswordChanged, SessionEndReasons.PasswordChanged, context, cancellationToken);
        if (!set.Succeeded && checkedCurrent)
        {
            // The right current password with an unacceptable new one: the check still succeeded,
            // so its reservation is released (SetPasswordAsync refuses before changing anything else).
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
        return set;
    }

    private static bool IsOwnLogin(User user, string login) =>
        string.Equals(login, user.Username, StringComparison.OrdinalIgnoreCase) || string.Equals(login, user.Email, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Emails a password reset link. Returns <see cref="CoreErrors.NotFound"/> for an unknown
    /// login: adapters that must not reveal accounts answer the same either way.
    /// </summary>
    public async Task<Result<User>> RequestPasswordResetAsync(string? login, string? linkTemplate, RequestContext context, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(login))
        {
            return CoreErrors.NotFound;
        }
        if (login.Length > 254)
        {
            // No email or username is this long: a malformed request, not an unknown account.
            return CoreErrors.Validation("login", "too_long", "The login is too long.");
        }
        var user = await users.FindByLoginAsync(Normalizer.Email(login), cancellationToken);
        if (user is null || user.Email is null || user.Status is UserStatus.Deleted or UserStatus.Disabled)
        {
            return CoreErrors.NotFound;
        }
        if (!await oneTimeTokens.MaySendAsync(TokenPurposes.PasswordReset, user.Id, mailLimits.Value.PerAccountEmailsPerHour, cancellationToken))
        {
            return CoreErrors.RateLimited;
        }
        await using var transaction = await unitOfWork.BeginTransactionAsync(cancellationToken);
        // A new link voids the older ones.
        await oneTimeTokens.ConsumeAllAsync(TokenPurposes.PasswordReset, user.Id, cancellationToken);
        var token = oneTimeTokens.Issue(TokenPurposes.PasswordReset, user.Id, user.Email);
        var link = links.Value.Format(linkTemplate ?? links.Value.PasswordReset, token, user.Id);
        mail.Enqueue(MailIntent.PasswordReset, user.Email, new MailModel(DisplayName(user), link));
        await unitOfWork.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    /// <summary>Checks a reset token without using it.</summary>
    public async Task<Result<User>> CheckPasswordResetTokenAsync(string? token, CancellationToken cancellationToken = default)
    {
        var peeked = await oneTimeTokens.PeekAsync(TokenPurposes.PasswordReset, token, cancellationToken);
        if (!peeked.Succeeded)
        {
            return peeked.Error!;
        }
        var user = peeked.Value.UserId is null ? null : await users.FindByIdAsync(peeked.Value.UserId, cancellationToken);
        return user is null || user.Status == UserStatus.Deleted ? CoreErrors.InvalidToken : user;
    }

    /// <summary>Sets a new password with an emailed token, once. Every session of the user ends.</summary>
    public async Task<Result<User>> ResetPasswordAsync(string? token, string? newPassword, RequestContext context, CancellationToken cancellationToken = default)
    {
        var checkedToken = await CheckPasswordResetTokenAsync(token, cancellationToken);
        if (!checkedToken.Succeeded)
        {
            return checkedToken.Error!;
        }
        var user = checkedToken.Value;
        await using var transaction = await unitOfWork.BeginTransactionAsync(cancellationToken);
        var redeemed = await oneTimeTokens.RedeemAsync(TokenPurposes.PasswordReset, token, cancellationToken);
        if (!redeemed.Succeeded)
        {
            return redeemed.Error!;
        }
        // The emailed link proves the mailbox: an invited (pending) account becomes active.
        user.EmailConfirmed = string.Equals(user.Email, redeemed.Value.Email, StringComparison.OrdinalIgnoreCase) || user.EmailConfirmed;
        if (user.Status == UserStatus.Pending)
        {
            user.Status = UserStatus.Active;
        }
        var set = await SetPasswordAsync(user, newPassword, null, AuditTypes.PasswordReset, SessionEndReasons.PasswordReset, context, cancellationToken);
        if (!set.Succeeded)
        {
            return set.Error!;
        }
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    public async Task<Result<User>> UpdateProfileAsync(string userId, ProfileUpdate update, RequestContext context, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(userId, cancellationToken);
        if (user is null || user.Status == UserStatus.Deleted)
        {
            return CoreErrors.NotFound;
        }
        var problems = new Dictionary<string, string[]>();
        if (update.Username is not null && (update.Username.Length == 0 || !Normalizer.IsValidUsername(update.Username)))
        {
            problems["username"] = ["invalid"];
        }
        foreach (var (name, value, max) in new[]
        {
            ("firstName", update.FirstName, MaxNameLength), ("middleName", update.MiddleName, MaxNameLength), ("lastName", update.LastName, MaxNameLength),
            ("phone", update.Phone, 50), ("bio", update.Bio, MaxTextLength), ("location", update.Location, MaxNameLength),
            ("timezone", update.Timezone, 64), ("locale", update.Locale, 35), ("gender", update.Gender, 50),
            ("company", update.Company, MaxNameLength), ("jobTitle", update.JobTitle, MaxNameLength),
        })
        {
            if (value is not null && value.Length > max)
            {
                problems[name] = ["too_long"];
            }
        }
        if (update.Timezone is { Length: > 0 } tz && !TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _))
        {
            problems["timezone"] = ["unknown"];
        }
        if (problems.Count > 0)
        {
            return CoreErrors.Validation(problems);
        }
        if (update.Username is not null)
        {
            user.Username = update.Username.Trim();
            user.NormalizedUsername = Normalizer.Username(update.Username);
        }
        user.FirstName = Apply(user.FirstName, update.FirstName);
        user.MiddleName = Apply(user.MiddleName, update.MiddleName);
        user.LastName = Apply(user.LastName, update.LastName);
        user.Phone = Apply(user.Phone, update.Phone);
        user.Bio = Apply(user.Bio, update.Bio);
        user.Location = Apply(user.Location, update.Location);
        user.Timezone = Apply(user.Timezone, update.Timezone);
        user.Locale = Apply(user.Locale, update.Locale);
        user.Gender = Apply(user.Gender, update.Gender);
        user.Company = Apply(user.Company, update.Company);
        user.JobTitle = Apply(user.JobTitle, update.JobTitle);
        if (update.BirthDateSet)
        {
            user.BirthDate = update.BirthDate;
        }
        user.UpdatedAt = time.GetUtcNow();
        audit.Record(time, AuditTypes.ProfileUpdated, context, user.Id);
        var saved = await unitOfWork.SaveChangesAsync(cancellationToken);
        if (saved.Outcome == SaveOutcome.UniqueViolation)
        {
            unitOfWork.Reset();
            return CoreErrors.UsernameTaken;
        }
        return user;
    }

    /// <summary>The field problems of a registration (field name to rule codes).</summary>
    public Dictionary<string, string[]> Validate(RegistrationRequest request, bool passwordRequired, RegistrationRules? rules = null)
    {
        var problems = new Dictionary<string, string[]>();
        rules ??= RegistrationRules.None;
        if (request.Email is null && request.Username is null)
        {
            problems["email"] = ["required"];
        }
        if (request.Email is not null && !Normalizer.IsValidEmail(request.Email.Trim()))
        {
            problems["email"] = ["invalid"];
        }
        if (request.Username is not null && !Normalizer.IsValidUsername(request.Username.Trim()))
        {
            problems["username"] = ["invalid"];
        }
        if (UsernameRuleBroken(request.Username?.Trim(), rules) is { } usernameRule)
        {
            problems["username"] = [usernameRule];
        }
        if (request.PasswordConfirmation is not null && request.Password is not null
            && !SecureTokens.FixedTimeEquals(request.Password, request.PasswordConfirmation))
        {
            problems["passwordConfirmation"] = ["mismatch"];
        }
        if (request.Password is null)
        {
            if (passwordRequired)
            {
                problems["password"] = ["required"];
            }
        }
        else
        {
            var broken = policy.Check(request.Password);
            if (broken.Count > 0)
            {
                problems["password"] = broken.Select(PasswordRuleCode).ToArray();
            }
        }
        foreach (var (name, value) in new[] { ("firstName", request.FirstName), ("middleName", request.MiddleName), ("lastName", request.LastName), ("company", request.Company), ("jobTitle", request.JobTitle) })
        {
            if (value is { Length: > MaxNameLength })
            {
                problems[name] = ["too_long"];
            }
        }
        if (request.Phone is { Length: > 50 })
        {
            problems["phone"] = ["too_long"];
        }
        return problems;
    }

    public static string PasswordRuleCode(PasswordRule rule) => rule switch
    {
        PasswordRule.TooShort => "too_short",
        PasswordRule.TooLong => "too_long",
        PasswordRule.Common => "too_common",
        _ => "invalid",
    };

    public static string? DisplayName(User user) =>
        string.Join(' ', new[] { user.FirstName, user.LastName }.Where(n => !string.IsNullOrWhiteSpace(n))) is { Length: > 0 } name ? name : user.Username;

    /// <summary>
    /// <see cref="ResetPasswordAsync(string?, string?, RequestContext, CancellationToken)"/> for links
    /// that carry the user id beside the token: the token must have been issued to
    /// <paramref name="expectedUserId"/>, else it is refused as invalid and stays usable.
    /// </summary>
    public async Task<Result<User>> ResetPasswordOfUserAsync(string? expectedUserId, string? token, string? newPassword, RequestContext context, CancellationToken cancellationToken = default)
    {
        var checkedToken = await CheckPasswordResetTokenAsync(token, cancellationToken);
        if (!checkedToken.Succeeded)
        {
            return checkedToken.Error!;
        }
        if (!string.Equals(checkedToken.Value.Id, expectedUserId, StringComparison.Ordinal))
        {
            return CoreErrors.InvalidToken;
        }
        return await ResetPasswordAsync(token, newPassword, context, cancellationToken);
    }

    /// <summary>
    /// <see cref="ConfirmEmailAsync"/> for links that carry the user id beside the token: the
    /// token must have been issued to <paramref name="expectedUserId"/>, else it is refused as
    /// invalid and stays usable.
    /// </summary>
    public async Task<Result<User>> ConfirmEmailOfUserAsync(string? expectedUserId, string? token, RequestContext context, CancellationToken cancellationToken = default)
    {
        var peeked = await oneTimeTokens.PeekAsync(TokenPurposes.EmailConfirmation, token, cancellationToken);
        if (!peeked.Succeeded)
        {
            return peeked.Error!;
        }
        if (!string.Equals(peeked.Value.UserId, expectedUserId, StringComparison.Ordinal))
        {
            return CoreErrors.InvalidToken;
        }
        return await ConfirmEmailAsync(token, context, cancellationToken);
    }

    private async Task<Result> SetPasswordAsync(User user, string? newPassword, string? keepSessionId, string auditType, string endReason, RequestContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(newPassword))
        {
            return CoreErrors.Validation("password", "required", "A new password is required.");
        }
        var broken = policy.Check(newPassword);
        if (broken.Count > 0)
        {
            return CoreErrors.Validation("password", PasswordRuleCode(broken[0]), "The new password is not acceptable.");
        }
        if (user.PasswordHash is not null && await hasher.VerifyAsync(user.PasswordHash, newPassword, cancellationToken) != PasswordVerification.Failed)
        {
            return CoreErrors.SamePassword;
        }
        user.PasswordHash = await hasher.HashAsync(newPassword, cancellationToken);
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        user.UpdatedAt = time.GetUtcNow();
        await sessions.EndAllAsync(user.Id, endReason, context, keepSessionId, cancellationToken: cancellationToken);
        await oneTimeTokens.ConsumeAllAsync(TokenPurposes.PasswordReset, user.Id, cancellationToken);
        audit.Record(time, auditType, context, user.Id);
        if (user.Email is not null)
        {
            mail.Enqueue(MailIntent.PasswordChanged, user.Email, new MailModel(DisplayName(user), null));
        }
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return Result.Ok;
    }

    private void QueueConfirmation(User user, string? linkTemplate)
    {
        var token = oneTimeTokens.Issue(TokenPurposes.EmailConfirmation, user.Id, user.Email);
        var link = links.Value.Format(linkTemplate ?? links.Value.EmailConfirmation, token, user.Id);
        mail.Enqueue(MailIntent.EmailConfirmation, user.Email!, new MailModel(DisplayName(user), link));
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Apply(string? current, string? update) => update is null ? current : Clean(update);
    /// <summary>Whether self-service sign-up is on, for APIs that refuse a disabled registration before reading it.</summary>
    public bool SelfServiceRegistrationEnabled => registration.Value.Enabled;

    /// <summary>The user behind a signed-in session, for adapters that show the profile.</summary>
    public async Task<Result<User>> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(userId, cancellationToken);
        return user is null || user.Status == UserStatus.Deleted ? CoreErrors.NotFound : user;
    }

    /// <summary>
    /// Changes the profile and, when <paramref name="newPassword"/> is not empty, the password,
    /// for APIs whose profile form carries both (FitTrackee). Such clients send no current
    /// password: the live session of <paramref name="keepSessionId"/> is the proof, as it was
    /// in the original; every other session ends. Password rules are checked before anything
    /// is saved, so a refused password leaves the profile unchanged.
    /// </summary>
    public async Task<Result<User>> UpdateProfileAndPasswordAsync(
        string userId,
        ProfileUpdate update,
        string? newPassword,
        string? newPasswordConfirmation,
        string keepSessionId,
        RequestContext context,
        CancellationToken cancellationToken = default)
    {
        var changePassword = !string.IsNullOrEmpty(newPassword);
        if (changePassword)
        {
            if (newPasswordConfirmation is null || !SecureTokens.FixedTimeEquals(newPassword!, newPasswordConfirmation))
            {
                return CoreErrors.Validation("passwordConfirmation", "mismatch", "The password and its confirmation differ.");
            }
            var broken = policy.Check(newPassword!);
            if (broken.Count > 0)
            {
                return CoreErrors.Validation("password", PasswordRuleCode(broken[0]), "The new password is not acceptable.");
            }
        }
        var updated = await UpdateProfileAsync(userId, update, context, cancellationToken);
        if (!updated.Succeeded || !changePassword)
        {
            return updated;
        }
        var user = updated.Value;
        var set = await SetPasswordAsync(user, newPassword, keepSessionId, AuditTypes.PasswordChanged, SessionEndReasons.PasswordChanged, context, cancellationToken);
        // Re-sending the current password with the rest of the form changes nothing; not an error.
        return set.Succeeded || set.Error!.Code == CoreErrors.SamePasswordCode ? user : set.Error!;
    }

    private static string? UsernameRuleBroken(string? username, RegistrationRules rules)
    {
        if (username is null)
        {
            return rules.UsernameRequired ? "required" : null;
        }
        // Counted in UTF-16 units like the original's len(); usernames are letters and digits.
        if (rules.UsernameMinimumLength is { } min && username.Length < min)
        {
            return "too_short";
        }
        return rules.UsernameMaximumLength is { } max && username.Length > max ? "too_long" : null;
    }
}
