namespace Gatehouse.Core.Common;

/// <summary>Token lifetimes and rules (section <c>Gatehouse:Tokens</c>).</summary>
public sealed class TokenOptions
{
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>
    /// The longest lifetimes a client may be given (its own settings above them are refused, and
    /// one stored before a cap was lowered is held to it). An access token is checked against its
    /// session on every use, but a day is plenty for any client; RFC 6749 section 4.1.2
    /// recommends at most ten minutes for an authorization code.
    /// </summary>
    public TimeSpan MaximumAccessTokenLifetime { get; set; } = TimeSpan.FromDays(1);
    public TimeSpan MaximumRefreshTokenLifetime { get; set; } = TimeSpan.FromDays(365);
    public TimeSpan MaximumAuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// RFC 9700 section 4.14.2: a reused refresh token revokes the session, except the
    /// immediately previous token within this grace, which gets back the successor already
    /// issued, so two concurrent refreshes from one app (or a retry after a lost answer) neither
    /// log the user out nor fork the session.
    /// </summary>
    public TimeSpan RefreshReuseGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a session's state may be cached by the bearer check (at most 1 s).</summary>
    public TimeSpan SessionStateCacheDuration { get; set; } = TimeSpan.FromMilliseconds(900);

    /// <summary><c>ES256</c> (default) or <c>RS256</c>.</summary>
    public string SigningAlgorithm { get; set; } = "ES256";

    /// <summary>How long a signing key signs before a new one takes over.</summary>
    public TimeSpan SigningKeyRotation { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Expiry of emailed tokens, per purpose.</summary>
    public TimeSpan EmailConfirmationLifetime { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan SignUpLinkLifetime { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan EmailOtpLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The access-token lifetime of a client's sessions: its own (at most the maximum), else the default.</summary>
    public TimeSpan AccessLifetimeFor(Clients.Client? client) =>
        client?.AccessTokenLifetimeSeconds is int s and > 0 ? Capped(s, MaximumAccessTokenLifetime) : AccessTokenLifetime;

    /// <summary>The absolute session lifetime of a client's sessions: its own (at most the maximum), else the default.</summary>
    public TimeSpan RefreshLifetimeFor(Clients.Client? client) =>
        client?.RefreshTokenLifetimeSeconds is int s and > 0 ? Capped(s, MaximumRefreshTokenLifetime) : RefreshTokenLifetime;

    /// <summary>The authorization-code lifetime of a client: its own (at most the maximum), else the default.</summary>
    public TimeSpan CodeLifetimeFor(Clients.Client? client) =>
        client?.AuthorizationCodeLifetimeSeconds is int s and > 0 ? Capped(s, MaximumAuthorizationCodeLifetime) : AuthorizationCodeLifetime;

    private static TimeSpan Capped(int seconds, TimeSpan maximum) => TimeSpan.FromSeconds(Math.Min(seconds, maximum.TotalSeconds));

    public TimeSpan LifetimeOf(string purpose) => purpose switch
    {
        Tokens.TokenPurposes.EmailConfirmation => EmailConfirmationLifetime,
        Tokens.TokenPurposes.PasswordReset => PasswordResetLifetime,
        Tokens.TokenPurposes.SignUp => SignUpLinkLifetime,
        Tokens.TokenPurposes.Invitation => InvitationLifetime,
        Tokens.TokenPurposes.EmailOtp => EmailOtpLifetime,
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Unknown token purpose."),
    };
}

/// <summary>Sign-up and sign-in rules (sections <c>Gatehouse:Registration</c>, <c>Gatehouse:SignIn</c>).</summary>
public sealed class RegistrationOptions
{
    public bool Enabled { get; set; } = true;
}

public sealed class SignInOptions
{
    /// <summary>Failures allowed before delays start.</summary>
    public int FreeFailures { get; set; } = 5;

    /// <summary>The first delay; it doubles with each further failure.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaximumDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// NIST SP 800-63B 5.2.2: no more than 100 consecutive failures. At this count the account
    /// is locked until its password is reset or an administrator unlocks it.
    /// </summary>
    public int MaximumConsecutiveFailures { get; set; } = 100;

    /// <summary>
    /// The longest delay counted in milliseconds: a wait of a century is a lock, and keeping
    /// below it means no delay can overflow where it is added to the time.
    /// </summary>
    private const long LongestDelayMilliseconds = 100L * 365 * 24 * 3600 * 1000;

    /// <summary>The first delay in whole milliseconds (at least 1), as the database counts it.</summary>
    public long FirstDelayMilliseconds => Math.Clamp((long)FirstDelay.TotalMilliseconds, 1, LongestDelayMilliseconds);

    /// <summary>The longest delay in whole milliseconds, never below the first one.</summary>
    public long MaximumDelayMilliseconds => Math.Clamp((long)MaximumDelay.TotalMilliseconds, FirstDelayMilliseconds, LongestDelayMilliseconds);

    /// <summary>
    /// How many doublings take the first delay to the maximum (at most 42, since both are
    /// milliseconds below a century): capping the exponent there keeps the shifted delay inside
    /// 64 bits, in C# and in SQL alike.
    /// </summary>
    public int DoublingsToMaximum
    {
        get
        {
            var doublings = 0;
            while ((FirstDelayMilliseconds << doublings) < MaximumDelayMilliseconds)
            {
                doublings++;
            }
            return doublings;
        }
    }

    /// <summary>
    /// The lock that the <paramref name="failures"/>-th consecutive failure sets at
    /// <paramref name="now"/>: none within the free failures (<paramref name="current"/> stays),
    /// then the first delay doubled per further failure up to the maximum, and at
    /// <see cref="MaximumConsecutiveFailures"/> a lock until a reset
    /// (<see cref="DateTimeOffset.MaxValue"/>). Every store applies exactly this rule, in the
    /// statement that counts the failure (IUserRepository.TryReserveSignInAttemptAsync).
    /// </summary>
    public DateTimeOffset? LockAfter(int failures, DateTimeOffset now, DateTimeOffset? current)
    {
        if (failures >= MaximumConsecutiveFailures)
        {
            return DateTimeOffset.MaxValue;
        }
        if (failures <= FreeFailures)
        {
            return current;
        }
        var exponent = Math.Min(DoublingsToMaximum, failures - FreeFailures - 1);
        return now.AddMilliseconds(Math.Min(MaximumDelayMilliseconds, FirstDelayMilliseconds << exponent));
    }
}

/// <summary>Per-account limits on mail (section <c>Gatehouse:RateLimits</c>, beside the per-IP limits).</summary>
public sealed class MailLimitOptions
{
    /// <summary>Emails of one kind (reset, confirmation) one account may be sent per hour.</summary>
    public int PerAccountEmailsPerHour { get; set; } = 5;
}

/// <summary>Where emailed links point (section <c>Gatehouse:Links</c>).</summary>
public sealed class LinkOptions
{
    /// <summary>Public base URL (<c>Gatehouse:PublicBaseUrl</c>), e.g. <c>https://auth.example.com</c>.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5000";

    /// <summary>URL templates; <c>{base}</c>, <c>{token}</c> and <c>{uid}</c> are replaced.</summary>
    public string EmailConfirmation { get; set; } = "{base}/account/confirm-email?token={token}";
    public string PasswordReset { get; set; } = "{base}/account/reset-password?token={token}";
    public string SignUp { get; set; } = "{base}/account/sign-up?token={token}";
    public string Invitation { get; set; } = "{base}/account/accept-invitation?token={token}";

    public string Format(string template, string token, string? userId = null) =>
        template
            .Replace("{base}", PublicBaseUrl.TrimEnd('/'), StringComparison.Ordinal)
            .Replace("{token}", Uri.EscapeDataString(token), StringComparison.Ordinal)
            .Replace("{uid}", Uri.EscapeDataString(userId ?? ""), StringComparison.Ordinal);
}
