namespace Gatehouse.Server.Dialects;

/// <summary>
/// Cross-site request forgery defence for cookie-authenticated state changes. The cookie alone
/// is not enough from another origin: a request is refused when the browser says it is
/// cross-site (<c>Sec-Fetch-Site: cross-site</c>), or when it carries an <c>Origin</c> that is
/// neither this host nor an allowed origin (an opaque <c>Origin: null</c> included). Requests
/// without either header come from non-browser clients, which cannot be made to send a victim's
/// cookie, and pass. SameSite=Lax on the cookie is the first line; this check also covers old
/// browsers and sibling subdomains (same-site, but not same-origin).
/// </summary>
internal static class OriginCheck
{
    public static bool IsAllowed(HttpRequest request, IReadOnlySet<string> allowedOrigins)
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
            || allowedOrigins.Contains(uri.GetLeftPart(UriPartial.Authority));
    }

    /// <summary><c>scheme://host[:port]</c> of an absolute http(s) URL, as browsers send it in <c>Origin</c>.</summary>
    public static string? Origin(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.GetLeftPart(UriPartial.Authority)
            : null;
}
