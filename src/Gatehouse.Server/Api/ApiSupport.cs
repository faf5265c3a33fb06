using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Server.Api;

/// <summary>The authenticated caller, bound from the bearer filter's result.</summary>
public sealed class Caller
{
    private Caller(AccessTokenClaims claims) => Claims = claims;

    public AccessTokenClaims Claims { get; }

    public string UserId => Claims.Subject;

    public string SessionId => Claims.SessionId;

    /// <summary>An administrator on a first-party token (a client's token never administers, whoever its user is).</summary>
    public bool IsAdmin => AccessTokenAudiences.GrantsAdministration(Claims);

    internal static void Set(HttpContext context, AccessTokenClaims claims) => context.Items[typeof(Caller)] = new Caller(claims);

    internal static Caller? Get(HttpContext context) => context.Items.TryGetValue(typeof(Caller), out var value) ? value as Caller : null;

    /// <summary>
    /// Minimal API binding, which runs before endpoint filters: authenticates here, and the
    /// bearer filter (which every endpoint taking a caller has) refuses what did not pass.
    /// </summary>
    public static async ValueTask<Caller?> BindAsync(HttpContext context)
    {
        var result = await context.AuthenticateBearerAsync();
        return result.Status == BearerStatus.Valid ? Get(context) : Anonymous;
    }

    /// <summary>Stands in for a refused caller; the bearer filter answers before a handler sees it.</summary>
    private static readonly Caller Anonymous = new(new AccessTokenClaims("", 0, "", -1, "", "", [], null, false, "", default, default));
}

internal static class HttpContextExtensions
{
    /// <summary>The core's view of who is asking and from where.</summary>
    public static RequestContext ToRequestContext(this HttpContext context, string surface) =>
        new(surface,
            context.Connection.RemoteIpAddress?.ToString(),
            context.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null,
            context.Request.Headers["device_id"].ToString() is { Length: > 0 } device ? device
                : context.Request.Headers["X-Device-Id"].ToString() is { Length: > 0 } xdevice ? xdevice : null);

    /// <summary>The token of an <c>Authorization: Bearer</c> header (RFC 6750 section 2.1), or null.</summary>
    public static string? BearerToken(this HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && header.Length > Scheme.Length
            ? header[Scheme.Length..].Trim()
            : null;
    }

    /// <summary>
    /// Runs the shared bearer check once per request and, when valid, makes the caller available.
    /// The audiences accepted are the <see cref="AudiencePolicy"/> the route's group registered as
    /// metadata (the most specific one wins); a route that registered none accepts only
    /// Gatehouse's own tokens, the narrowest choice that still means something.
    /// </summary>
    public static async ValueTask<BearerResult> AuthenticateBearerAsync(this HttpContext context)
    {
        if (context.Items.TryGetValue(typeof(BearerResult), out var done) && done is BearerResult cached)
        {
            return cached;
        }
        var audiences = context.GetEndpoint()?.Metadata.GetMetadata<AudiencePolicy>() ?? AudiencePolicy.FirstParty;
        var result = await context.RequestServices.GetRequiredService<BearerAuthenticator>().AuthenticateAsync(context.Request.BearerToken(), audiences, context.RequestAborted);
        if (result.Status == BearerStatus.Valid)
        {
            Caller.Set(context, result.Claims!);
        }
        context.Items[typeof(BearerResult)] = result;
        return result;
    }
}
