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
    /// <summary>
    /// Live, but its session has not yet given its second factor: good only for the route that
    /// takes the code, refused everywhere else (every surface maps this to its own refusal).
    /// </summary>
    SecondFactorPending,
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
    /// Checks a bearer access token: signature, lifetime, that its session is alive and the
    /// token not superseded by a refresh, and that the session is fully signed in. A token whose
    /// session still waits for its second factor comes back as
    /// <see cref="BearerStatus.SecondFactorPending"/>, with its claims, so that the one route that
    /// takes the code can accept it and every other route refuses it.
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
        if (!state.Active || claims.Generation != state.Generation)
        {
            return new BearerResult(BearerStatus.Revoked, claims);
        }
        return new BearerResult(claims.SecondFactorPending ? BearerStatus.SecondFactorPending : BearerStatus.Valid, claims);
    }
}
