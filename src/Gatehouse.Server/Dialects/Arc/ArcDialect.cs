using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;
using Gatehouse.Server.Api;
using Gatehouse.Server.Hosting;

namespace Gatehouse.Server.Dialects.Arc;

/// <summary>
/// Dialect "arc": SourceFuse ARC authentication-service 4.0 (LoopBack 4), as pinned down by
/// CONTRACTS.md "001". Mounted at <c>/</c> by default. Social routes belong to the
/// federated-login work and are not mapped here.
/// </summary>
internal sealed class ArcDialect : IDialect
{
    public const string SurfaceName = "arc";

    public string Name => SurfaceName;

    public string DefaultBasePath => "/";

    public void Map(RouteGroupBuilder group)
    {
        group.WithTags("Dialect: arc");
        ArcAuthEndpoints.Map(group);
        ArcClientEndpoints.Map(group);
    }

    public Task WriteErrorAsync(HttpContext context, int status)
    {
        var body = ArcResults.ErrorBody(status, w => w.WriteString("message", ArcResults.DefaultMessage(status)));
        context.Response.ContentType = ArcResults.ContentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}

/// <summary>The bearer check and the request context, in ARC's words.</summary>
internal static class ArcAuth
{
    public static RequestContext Context(HttpContext http) => http.ToRequestContext(ArcDialect.SurfaceName);

    /// <summary>
    /// CONTRACTS.md 001: no header gives the string <c>Bearer realm="Users"</c>; a bad or expired
    /// token the object message "TokenExpired"; a revoked one "TokenRevoked".
    /// </summary>
    public static async Task<(AccessTokenClaims? Claims, IResult? Error)> BearerAsync(HttpContext http)
    {
        var result = await http.AuthenticateBearerAsync();
        return result.Status switch
        {
            BearerStatus.Valid => (result.Claims, null),
            BearerStatus.Missing => (null, ArcResults.Error(StatusCodes.Status401Unauthorized, "Bearer realm=\"Users\"")),
            BearerStatus.Revoked => (null, ArcResults.ObjectError(StatusCodes.Status401Unauthorized, "TokenRevoked")),
            _ => (null, ArcResults.ObjectError(StatusCodes.Status401Unauthorized, "TokenExpired")),
        };
    }

    /// <summary>Administrators only; others get 403 "NotAllowedAccess".</summary>
    public static async Task<(AccessTokenClaims? Claims, IResult? Error)> AdminAsync(HttpContext http)
    {
        var (claims, error) = await BearerAsync(http);
        if (error is not null)
        {
            return (null, error);
        }
        return claims!.Roles.Contains(Core.Accounts.KnownRoles.Admin, StringComparer.Ordinal)
            ? (claims, null)
            : (null, ArcResults.Error(StatusCodes.Status403Forbidden, "NotAllowedAccess"));
    }

    /// <summary>
    /// Who may use <c>/otp-caches</c> (CONTRACTS.md 001, secure): an administrator's bearer token,
    /// or a trusted service: a client named in <c>Gatehouse:Dialects:arc:OtpClients</c> that
    /// proves its secret with HTTP Basic (RFC 7617). Returns the actor recorded in the audit log.
    /// </summary>
    public static async Task<(string? Actor, IResult? Error)> OtpCallerAsync(HttpContext http, Core.Clients.ClientSignInService clients)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var (claims, error) = await AdminAsync(http);
            return (claims?.Subject, error);
        }
        string? id = null;
        string? secret = null;
        try
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                id = Uri.UnescapeDataString(decoded[..colon]);
                secret = Uri.UnescapeDataString(decoded[(colon + 1)..]);
            }
        }
        catch (FormatException)
        {
        }
        var trusted = (Setting(http, "OtpClients") ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        if (id is null || !trusted.Contains(id, StringComparer.Ordinal))
        {
            return (null, ArcResults.Error(StatusCodes.Status403Forbidden, "NotAllowedAccess"));
        }
        var client = await clients.AuthenticateClientAsync(id, secret, http.RequestAborted);
        return client.Succeeded ? ("client:" + id, null) : (null, ArcResults.Error(StatusCodes.Status401Unauthorized, "Client Invalid"));
    }

    /// <summary>A core validation failure as LoopBack's 422 with the core's message.</summary>
    public static IResult Unprocessable(CoreError error) => ArcResults.Error(StatusCodes.Status422UnprocessableEntity, error.Message);

    /// <summary>An optional link template of this dialect (<c>Gatehouse:Dialects:arc:&lt;key&gt;</c>).</summary>
    public static string? Setting(HttpContext http, string key) =>
        http.RequestServices.GetRequiredService<IConfiguration>()[$"{GatehouseOptions.Section}:Dialects:{ArcDialect.SurfaceName}:{key}"] is { Length: > 0 } value ? value : null;
}
