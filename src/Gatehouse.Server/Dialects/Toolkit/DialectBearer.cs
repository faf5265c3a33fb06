using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;
using Gatehouse.Server.Api;

namespace Gatehouse.Server.Dialects;

/// <summary>
/// The bearer check of every surface: the core's <see cref="BearerAuthenticator"/> decides
/// (missing, invalid, expired, revoked, second factor pending), once per request; a surface only
/// says how it answers each refusal.
/// </summary>
internal static class DialectBearer
{
    /// <summary>
    /// Lets a request through only with a bearer token the core accepts, issued for one of
    /// <paramref name="audiences"/> (registered as the routes' metadata, so the caller's binding
    /// checks the same), making the caller bindable as <see cref="Caller"/>; any other outcome is
    /// answered by <paramref name="refuse"/>. A token still waiting for its second factor passes
    /// only where <paramref name="allowSecondFactorPending"/> (the one route that takes the code).
    /// </summary>
    public static TBuilder RequireBearer<TBuilder>(this TBuilder builder, AudiencePolicy audiences, Func<HttpContext, BearerStatus, IResult> refuse, bool allowSecondFactorPending = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(audiences).AddEndpointFilter(async (context, next) =>
        {
            var result = await context.HttpContext.AuthenticateBearerAsync();
            return Accepts(result.Status, allowSecondFactorPending) ? await next(context) : refuse(context.HttpContext, result.Status);
        });

    /// <summary>Whether a bearer outcome lets the caller in.</summary>
    public static bool Accepts(BearerStatus status, bool allowSecondFactorPending = false) =>
        status == BearerStatus.Valid || (allowSecondFactorPending && status == BearerStatus.SecondFactorPending);

    /// <summary>RFC 6750 section 3: the challenge names the error, except when no token was sent.</summary>
    public static void Challenge(HttpContext context, BearerStatus status) =>
        context.Response.Headers.WWWAuthenticate = status == BearerStatus.Missing ? "Bearer" : "Bearer error=\"invalid_token\"";
}
