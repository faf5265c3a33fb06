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
    /// <summary>
    /// Ours and well signed, but issued for an audience the route does not accept (another
    /// product's API, or a client's token at a first-party route): every surface answers it as
    /// it answers <see cref="Invalid"/>.
    /// </summary>
    WrongAudience,
}

public sealed record BearerResult(BearerStatus Status, AccessTokenClaims? Claims)
{
    public static BearerResult Missing { get; } = new(BearerStatus.Missing, null);
    public static BearerResult Invalid { get; } = new(BearerStatus.Invalid, null);

    /// <summary>Without claims: nothing of a token meant for another audience is acted on.</summary>
    public static BearerResult WrongAudience { get; } = new(BearerStatus.WrongAudience, null);
}

/// <summary>
/// The bearer check shared by every surface: a singleton that needs no unit of work, so the hot
/// path allocates no database context when the session state is cached.
/// </summary>
public sealed class BearerAuthenticator(IAccessTokenService accessTokens, SessionStateCache stateCache)
{
    /// <summary>
    /// Checks a bearer access token: signature, that it was issued for an audience
    /// <paramref name="audiences"/> accepts, lifetime, that its session is alive and the token
    /// not superseded (by a refresh, or by a change to its user's roles, see
    /// <see cref="SessionState.Admits"/>), and that the session is fully signed in. A token whose
    /// session still waits for its second factor comes back as
    /// <see cref="BearerStatus.SecondFactorPending"/>, with its claims, so that the one route that
    /// takes the code can accept it and every other route refuses it.
    /// </summary>
    public async ValueTask<BearerResult> AuthenticateAsync(string? token, AudiencePolicy audiences, CancellationToken cancellationToken = default)
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
        if (!audiences.Accepts(read.Claims))
        {
            return BearerResult.WrongAudience;
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
        if (!state.Active || claims.Generation != state.Generation || !state.Admits(claims))
        {
            return new BearerResult(BearerStatus.Revoked, claims);
        }
        return new BearerResult(claims.SecondFactorPending ? BearerStatus.SecondFactorPending : BearerStatus.Valid, claims);
    }
}
