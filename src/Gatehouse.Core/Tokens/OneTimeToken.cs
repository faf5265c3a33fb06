namespace Gatehouse.Core.Tokens;

/// <summary>Purposes of emailed one-time tokens; a token only works for its own purpose.</summary>
public static class TokenPurposes
{
    public const string EmailConfirmation = "email_confirmation";
    public const string PasswordReset = "password_reset";
    public const string SignUp = "sign_up";
    public const string Invitation = "invitation";
    public const string EmailOtp = "email_otp";
}

/// <summary>An emailed single-use token, stored only as its SHA-256.</summary>
public sealed class OneTimeToken
{
    public string Hash { get; set; } = "";
    public string Purpose { get; set; } = "";
    public string? UserId { get; set; }
    public string? Email { get; set; }

    /// <summary>Purpose-specific data (JSON), e.g. what a sign-up link was asked with.</summary>
    public string? Payload { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }
}
