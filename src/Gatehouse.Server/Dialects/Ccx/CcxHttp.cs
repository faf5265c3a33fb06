using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gatehouse.Core.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Dialects.Ccx;

/// <summary>The <c>sid</c> cookie.</summary>
internal static class CcxCookie
{
    public const string Name = "sid";

    public static string? Read(HttpRequest request) => request.Cookies.TryGetValue(Name, out var value) && value.Length > 0 ? value : null;

    /// <summary>
    /// HttpOnly (scripts never see the secret), SameSite=Lax (browsers keep it off cross-site
    /// POSTs), Secure over HTTPS, scoped to the dialect's base path, and lasting as long as the
    /// core session's absolute lifetime.
    /// </summary>
    public static void Set(HttpContext context, CookieSessionTicket ticket) =>
        context.Response.Cookies.Append(Name, ticket.Secret, Options(context, ticket.ExpiresAt));

    public static void Clear(HttpContext context) =>
        context.Response.Cookies.Delete(Name, Options(context, null));

    private static CookieOptions Options(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = CcxSettings.Of(context).SecureCookies switch
        {
            SecureCookieMode.Always => true,
            SecureCookieMode.Never => false,
            _ => context.Request.IsHttps,
        },
        Path = context.GetEndpoint()?.Metadata.GetMetadata<MountedDialect>()?.BasePath ?? "/",
        Expires = expires,
        IsEssential = true,
    };
}

/// <summary>
/// Cross-site request forgery defence for the state-changing routes. The cookie alone is not
/// enough from another origin: a request is refused (403) when the browser says it is
/// cross-site (<c>Sec-Fetch-Site: cross-site</c>), or when it carries an <c>Origin</c> that is
/// neither this host, the public base URL, nor a configured allowed origin (an opaque
/// <c>Origin: null</c> included). Requests without either header come from non-browser clients,
/// which cannot be made to send a victim's cookie, and pass. SameSite=Lax on the cookie is the
/// first line; this check also covers old browsers and sibling subdomains (same-site, but not
/// same-origin). Chosen over a double-submit token because CCX clients send no such token.
/// </summary>
internal static class CcxCsrf
{
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        IsAllowed(context.HttpContext.Request, CcxSettings.Of(context.HttpContext))
            ? await next(context)
            : CcxMapper.Error(StatusCodes.Status403Forbidden, "Cross-site request refused: the origin is not allowed.");

    public static bool IsAllowed(HttpRequest request, CcxSettings settings)
    {
        if (string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "cross-site", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }
        // Same host: compared without the scheme, because behind a TLS-terminating proxy the
        // request arrives over HTTP while the page's origin is https.
        return string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || settings.AllowedOrigins.Contains(uri.GetLeftPart(UriPartial.Authority));
    }
}

/// <summary>
/// Reads a JSON request body with the dialect's own serializer context and its own failures:
/// 415 for another content type, 413 over <see cref="MaxBytes"/>, 400 for malformed JSON or a
/// wrong JSON type.
/// </summary>
internal static class CcxBody
{
    /// <summary>The largest body accepted; the biggest legitimate request is a few hundred bytes.</summary>
    public const int MaxBytes = 16 * 1024;

    public readonly record struct Read<T>(T? Value, JsonHttpResult<CcxError>? Failure);

    public static async Task<Read<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        if (!request.HasJsonContentType())
        {
            return Fail<T>(StatusCodes.Status415UnsupportedMediaType);
        }
        // Refused from Content-Length, or as soon as a chunked body passes the limit.
        if (await DialectBodies.ReadLimitedAsync(request, MaxBytes, cancellationToken) is not { } bytes)
        {
            return Fail<T>(StatusCodes.Status413PayloadTooLarge);
        }
        try
        {
            var value = JsonSerializer.Deserialize(bytes, type);
            return value is null ? Fail<T>(StatusCodes.Status400BadRequest) : new Read<T>(value, null);
        }
        catch (JsonException)
        {
            return Fail<T>(StatusCodes.Status400BadRequest);
        }
    }

    private static Read<T> Fail<T>(int status) => new(default, CcxMapper.Error(status, CcxMapper.StatusMessage(status)));
}
