using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Dialects.Ccx;

/// <summary>
/// The ccx settings beside <c>Enabled</c> and <c>BasePath</c>, from section
/// <c>Gatehouse:Dialects:ccx</c>.
/// </summary>
public sealed class CcxOptions
{
    public const string Section = "Gatehouse:Dialects:ccx";

    /// <summary>
    /// When the <c>sid</c> cookie is marked Secure: <c>auto</c> (when the request came over
    /// HTTPS), <c>always</c> (behind a reverse proxy that terminates TLS), <c>never</c> (local
    /// development over plain HTTP only).
    /// </summary>
    public string SecureCookies { get; set; } = "auto";

    /// <summary>The page a reset email links to; <c>?uid=&lt;id&gt;&amp;t=&lt;token&gt;</c> is appended. <c>{base}</c> is the public base URL.</summary>
    public string ResetPasswordPage { get; set; } = "{base}/reset-password";

    /// <summary>The page a confirmation email links to; <c>?uid=&lt;id&gt;&amp;t=&lt;token&gt;</c> is appended.</summary>
    public string ConfirmEmailPage { get; set; } = "{base}/confirm-email";

    /// <summary>
    /// Origins (<c>https://app.example.com</c>) besides Gatehouse's own whose pages may call the
    /// state-changing routes with the cookie (see <see cref="CcxCsrf"/>).
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];
}

internal enum SecureCookieMode
{
    Auto,
    Always,
    Never,
}

/// <summary>The validated settings, attached to the dialect's endpoints as metadata.</summary>
internal sealed record CcxSettings(SecureCookieMode SecureCookies, string ResetLinkTemplate, string ConfirmLinkTemplate, IReadOnlySet<string> AllowedOrigins)
{
    public static CcxSettings Of(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<CcxSettings>() ?? throw new InvalidOperationException("A ccx endpoint without its settings.");

    /// <summary>Validates the options; the messages say how to fix each setting.</summary>
    public static CcxSettings From(CcxOptions options, GatehouseOptions gatehouse)
    {
        var failures = new List<string>();
        SecureCookieMode mode = default;
        if (!Enum.TryParse(options.SecureCookies, ignoreCase: true, out mode) || !Enum.IsDefined(mode))
        {
            failures.Add($"{CcxOptions.Section}:SecureCookies must be auto, always or never (it is '{options.SecureCookies}').");
        }
        var reset = LinkTemplate(options.ResetPasswordPage, "ResetPasswordPage", gatehouse, failures);
        var confirm = LinkTemplate(options.ConfirmEmailPage, "ConfirmEmailPage", gatehouse, failures);
        var origins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (Origin(gatehouse.PublicBaseUrl) is { } own)
        {
            origins.Add(own);
        }
        foreach (var allowed in options.AllowedOrigins)
        {
            if (Origin(allowed) is { } origin && Uri.TryCreate(allowed, UriKind.Absolute, out var uri) && uri.AbsolutePath == "/")
            {
                origins.Add(origin);
            }
            else
            {
                failures.Add($"{CcxOptions.Section}:AllowedOrigins entries must be origins such as https://app.example.com, without a path (got '{allowed}').");
            }
        }
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(CcxOptions), typeof(CcxOptions), failures);
        }
        return new CcxSettings(mode, reset, confirm, origins);
    }

    /// <summary><c>scheme://host[:port]</c> of an absolute http(s) URL, as browsers send it in <c>Origin</c>.</summary>
    public static string? Origin(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.GetLeftPart(UriPartial.Authority)
            : null;

    private static string LinkTemplate(string page, string key, GatehouseOptions gatehouse, List<string> failures)
    {
        var resolved = page.Replace("{base}", gatehouse.PublicBaseUrl.TrimEnd('/'), StringComparison.Ordinal);
        if (Origin(resolved) is null || resolved.Contains('#', StringComparison.Ordinal) || resolved.Contains('{', StringComparison.Ordinal))
        {
            failures.Add($"{CcxOptions.Section}:{key} must be an absolute http(s) URL of a page, such as https://app.example.com/reset-password or {{base}}/reset-password (it is '{page}').");
        }
        // CCX clients parse uid and t out of the link (the seed document's reset link).
        return page + (page.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "uid={uid}&t={token}";
    }
}
