namespace Gatehouse.Core.Common;

/// <summary>The stable error codes of the core. Dialects map these to their own bodies.</summary>
public static class CoreErrors
{
    public const string ValidationFailedCode = "validation_failed";
    public const string EmailTakenCode = "email_taken";
    public const string UsernameTakenCode = "username_taken";
    public const string AccountDeletedCode = "account_deleted";
    public const string RegistrationDisabledCode = "registration_disabled";
    public const string InvalidCredentialsCode = "invalid_credentials";
    public const string AccountDisabledCode = "account_disabled";
    public const string InvalidTokenCode = "invalid_token";
    public const string ExpiredTokenCode = "expired_token";
    public const string UsedTokenCode = "used_token";
    public const string SessionEndedCode = "session_ended";
    public const string NotFoundCode = "not_found";
    public const string WrongPasswordCode = "wrong_password";
    public const string SamePasswordCode = "same_password";
    public const string NoPasswordCode = "no_password";
    public const string ForbiddenCode = "forbidden";
    public const string ConflictCode = "conflict";
    public const string InvalidClientCode = "invalid_client";
    public const string RateLimitedCode = "rate_limited";

    public static CoreError Validation(string field, string rule, string message) =>
        new(ValidationFailedCode, message) { Fields = new Dictionary<string, string[]> { [field] = [rule] } };

    public static CoreError Validation(IReadOnlyDictionary<string, string[]> fields) =>
        new(ValidationFailedCode, "One or more fields are invalid.") { Fields = fields };

    public static CoreError EmailTaken { get; } = new(EmailTakenCode, "An account with this email already exists.");
    public static CoreError UsernameTaken { get; } = new(UsernameTakenCode, "An account with this username already exists.");
    public static CoreError AccountDeleted { get; } = new(AccountDeletedCode, "Account was deleted.");
    public static CoreError RegistrationDisabled { get; } = new(RegistrationDisabledCode, "Registration is disabled.");
    public static CoreError InvalidCredentials { get; } = new(InvalidCredentialsCode, "The login or password is wrong.");
    public static CoreError AccountDisabled { get; } = new(AccountDisabledCode, "The account is disabled.");
    public static CoreError InvalidToken { get; } = new(InvalidTokenCode, "The token is invalid.");
    public static CoreError ExpiredToken { get; } = new(ExpiredTokenCode, "The token has expired.");
    public static CoreError UsedToken { get; } = new(UsedTokenCode, "The token was already used.");
    public static CoreError SessionEnded { get; } = new(SessionEndedCode, "The session has ended.");
    public static CoreError NotFound { get; } = new(NotFoundCode, "Not found.");
    public static CoreError WrongPassword { get; } = new(WrongPasswordCode, "The current password is wrong.");
    public static CoreError SamePassword { get; } = new(SamePasswordCode, "The new password must differ from the current one.");
    public static CoreError NoPassword { get; } = new(NoPasswordCode, "The account has no password; it signs in through an external provider.");
    public static CoreError Forbidden { get; } = new(ForbiddenCode, "Not allowed.");
    public static CoreError RateLimited { get; } = new(RateLimitedCode, "Too many emails were sent to this account; try again later.");
    public static CoreError InvalidClient { get; } = new(InvalidClientCode, "The client is unknown or its secret is wrong.");
}
