namespace Gatehouse.Core.Sessions;

/// <summary>
/// One signed-in device. Access and refresh tokens belong to a session; ending it makes every
/// token of it useless. <see cref="Generation"/> moves on at every rotation of the refresh token
/// so that the previous access token stops working too; a session whose refresh token does not
/// rotate keeps its generation, so every access token of it lives until it expires or the
/// session ends.
/// </summary>
public sealed class Session
{
    public string Id { get; set; } = "";
    public string UserId { get; set; } = "";
    public string? ClientId { get; set; }

    /// <summary>The API surface that created the session (<c>native</c>, a dialect name, …).</summary>
    public string Surface { get; set; } = "native";

    public string? DeviceId { get; set; }
    public string? UserAgent { get; set; }
    public string? IpAddress { get; set; }

    public long Generation { get; set; }
    public bool SecondFactorPending { get; set; }
    public string? TeamId { get; set; }

    /// <summary>Whether refresh tokens are rotated on use (a per-client setting copied at sign-in).</summary>
    public bool RotateRefreshTokens { get; set; } = true;

    /// <summary>
    /// What a refresh must present besides the refresh token, fixed when the session starts, so
    /// that the token is redeemable only under the rules of the surface that issued it, wherever
    /// it is presented.
    /// </summary>
    public RefreshRules RefreshRules { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Absolute end: no refresh extends a session beyond it.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }
    public string? EndReason { get; set; }

    public bool IsActive(DateTimeOffset now) => EndedAt is null && ExpiresAt > now;

    /// <summary>
    /// SHA-256 of the opaque secret a cookie session carries (see <see cref="CookieSessionService"/>);
    /// null for token sessions. The secret itself is never stored.
    /// </summary>
    public string? SecretHash { get; set; }
}

/// <summary>A refresh token, stored only as its SHA-256.</summary>
public sealed class RefreshToken
{
    public string Hash { get; set; } = "";
    public string SessionId { get; set; } = "";
    public long Generation { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When it was exchanged for a successor; null while it is the live token.</summary>
    public DateTimeOffset? ConsumedAt { get; set; }

    /// <summary>
    /// The successor it was exchanged for, sealed by <see cref="SuccessorVault"/> (readable for
    /// the reuse grace only), so that a replay within the grace gets that same successor back.
    /// </summary>
    public string? SealedSuccessor { get; set; }
}

/// <summary>
/// What a refresh of a session must present besides the refresh token (<see cref="Session.RefreshRules"/>).
/// </summary>
[Flags]
public enum RefreshRules
{
    /// <summary>The refresh token alone (native sessions).</summary>
    TokenAlone = 0,

    /// <summary>The access token issued with the refresh token (it may have expired).</summary>
    BoundAccessToken = 1,

    /// <summary>The id of the session's client, which is confidential.</summary>
    ClientId = 2,

    /// <summary>
    /// A client id, any: the session's client is public, and RFC 6749 section 2.1 says a public
    /// client's id authenticates nothing. The id presented is recorded.
    /// </summary>
    AnyClientId = 4,
}

/// <summary>Why a session ended (stored, shown in audit events).</summary>
public static class SessionEndReasons
{
    public const string SignOut = "sign_out";
    public const string PasswordChanged = "password_changed";
    public const string PasswordReset = "password_reset";
    public const string RefreshTokenReuse = "refresh_token_reuse";
    public const string EndedByUser = "ended_by_user";
    public const string Admin = "admin";
    public const string AccountDisabled = "account_disabled";
}

/// <summary>
/// What the bearer check needs of a session and of its user, read together: whether the session
/// is active and its generation, and the user's authorization as it is now: the stored roles
/// (space-separated), the second from which their access tokens count
/// (<see cref="Accounts.User.TokensValidAfter"/>, Unix seconds, 0 for none) and whether the
/// account can be used at all (neither disabled nor deleted).
/// </summary>
public readonly record struct SessionState(bool Active, long Generation, string Roles, long TokensValidAfterSeconds, bool AccountUsable)
{
    /// <summary>No such session.</summary>
    public static SessionState Unknown => new(false, -1, "", 0, false);

    /// <summary>
    /// Whether a token of this session still speaks for its user: the account is usable, the
    /// token was issued no earlier than the second of the user's last authorization change, and
    /// it carries exactly the user's current roles. The roles are compared, not only the time, so
    /// a token signed with roles read just before a change is refused however close the two
    /// instants are; the time catches a change undone again (admin removed, then given back).
    /// Allocates nothing: it runs on every authenticated request.
    /// </summary>
    public bool Admits(Tokens.AccessTokenClaims claims) =>
        AccountUsable && claims.IssuedAt.ToUnixTimeSeconds() >= TokensValidAfterSeconds && SameRoles(claims.Roles, Roles);

    /// <summary>Set equality of a token's roles and the stored, space-separated ones (each stored once).</summary>
    private static bool SameRoles(IReadOnlyList<string> claimed, string stored)
    {
        var count = 0;
        foreach (var range in stored.AsSpan().Split(' '))
        {
            var role = stored.AsSpan(range);
            if (role.IsEmpty)
            {
                continue;
            }
            count++;
            if (!Contains(claimed, role))
            {
                return false;
            }
        }
        return count == claimed.Count;
    }

    private static bool Contains(IReadOnlyList<string> roles, ReadOnlySpan<char> role)
    {
        for (var i = 0; i < roles.Count; i++)
        {
            if (role.SequenceEqual(roles[i]))
            {
                return true;
            }
        }
        return false;
    }
}
