namespace Gatehouse.Core.Tokens;

/// <summary>What goes into an access token.</summary>
public sealed record AccessTokenDescriptor(
    string Subject,
    long UserNumber,
    string SessionId,
    long Generation,
    string Audience,
    string Surface,
    IReadOnlyList<string> Roles,
    string? TeamId,
    bool SecondFactorPending,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt);

public sealed record IssuedAccessToken(string Token, string JwtId, DateTimeOffset ExpiresAt);

public enum AccessTokenStatus
{
    Valid,
    /// <summary>Well signed by us, but past its expiry.</summary>
    Expired,
    /// <summary>Not ours, malformed, or tampered with.</summary>
    Invalid,
}

/// <summary>The claims of a token we signed.</summary>
public sealed record AccessTokenClaims(
    string Subject,
    long UserNumber,
    string SessionId,
    long Generation,
    string Audience,
    string Surface,
    IReadOnlyList<string> Roles,
    string? TeamId,
    bool SecondFactorPending,
    string JwtId,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt);

public sealed record AccessTokenReadResult(AccessTokenStatus Status, AccessTokenClaims? Claims)
{
    public static AccessTokenReadResult Invalid { get; } = new(AccessTokenStatus.Invalid, null);
}

/// <summary>Signs and reads access tokens (JWT). Implemented by the server with the stored keys.</summary>
public interface IAccessTokenService
{
    /// <summary>
    /// Makes sure a current signing key exists (creating one may write to the database), so that
    /// issuing a token inside a transaction never has to.
    /// </summary>
    ValueTask PrepareAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Signs a token. Call it outside write transactions (or after <see cref="PrepareAsync"/>):
    /// when the signing key is due for rotation it writes the new key, and on SQLite a second
    /// writer inside an open write transaction would wait for itself.
    /// </summary>
    ValueTask<IssuedAccessToken> IssueAsync(AccessTokenDescriptor descriptor, CancellationToken cancellationToken = default);

    /// <summary>Checks signature, issuer and lifetime. Claims are returned for expired tokens too.</summary>
    ValueTask<AccessTokenReadResult> ReadAsync(string token, CancellationToken cancellationToken = default);
}
