using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Sessions;

public enum BearerStatus
{
    Valid,
    Missing,
    Invalid,
    Expired,
    /// <summary>Well signed and unexpired, but its session ended or a refresh superseded it.</summary>
    Revoked,
}

public sealed record BearerResult(BearerStatus Status, AccessTokenClaims? Claims)
{
    public static BearerResult Missing { get; } = new(BearerStatus.Missing, null);
    public static BearerResult Invalid { get; } = new(BearerStatus.Invalid, null);
}

/// <summary>
/// The bearer check shared by every surface: a singleton that needs no unit of work, so the hot
/// path allocates no database context when the session state is cached.
/// </summary>
public sealed class BearerAuthenticator(IAccessTokenService accessTokens, SessionStateCache stateCache)
{
    /// <summary>
    /// Checks a bearer access token: signature, lifetime, and that its session is alive and the
    /// token not superseded by a refresh.
    /// </summary>
    public async ValueTask<BearerResult> AuthenticateAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token))
        {
            return BearerResult.Missing;
        }
        var read = await accessTokens.ReadAsync(token, cancellationToken);
        if (read.Status == AccessTokenStatus.Invalid || read.Claims is null)
        {
            return BearerResult.Invalid;
        }
        if (read.Status == AccessTokenStatus.Expired)
        {
            return new BearerResult(BearerStatus.Expired, read.Claims);
        }
        var claims = read.Claims;
        var state = await stateCache.GetAsync(claims.SessionId, cancellationToken);
        if (claims.Generation > state.Generation)
        {
            // Issued after our cached read (perhaps by another instance): look again.
            state = await stateCache.RefreshAsync(claims.SessionId, cancellationToken);
        }
        return !state.Active || claims.Generation != state.Generation
            ? new BearerResult(BearerStatus.Revoked, claims)
            : new BearerResult(BearerStatus.Valid, claims);
    }

}
