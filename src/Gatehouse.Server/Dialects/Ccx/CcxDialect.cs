using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Dialects.Ccx;

/// <summary>Section <c>Gatehouse:Dialects:ccx</c>.</summary>
internal sealed class CcxOptions : DialectOptions
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
    /// state-changing routes with the cookie (see <see cref="OriginCheck"/>).
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

    /// <summary>The settings of options that passed <see cref="CcxOptionsValidator"/>.</summary>
    public static CcxSettings From(CcxOptions options, GatehouseOptions gatehouse)
    {
        var origins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var origin in options.AllowedOrigins.Append(gatehouse.PublicBaseUrl).Select(OriginCheck.Origin).OfType<string>())
        {
            origins.Add(origin);
        }
        return new CcxSettings(Enum.Parse<SecureCookieMode>(options.SecureCookies, ignoreCase: true), Link(options.ResetPasswordPage), Link(options.ConfirmEmailPage), origins);
    }

    /// <summary>CCX clients parse uid and t out of the link (the seed document's reset link).</summary>
    private static string Link(string page) => page + (page.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "uid={uid}&t={token}";
}

internal sealed class CcxOptionsValidator(IOptions<GatehouseOptions> gatehouse) : IValidateOptions<CcxOptions>
{
    public ValidateOptionsResult Validate(string? name, CcxOptions options)
    {
        // The settings of a switched-off dialect cannot stop the server.
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var failures = new List<string>();
        if (!Enum.TryParse<SecureCookieMode>(options.SecureCookies, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
        {
            failures.Add($"{CcxOptions.Section}:SecureCookies must be auto, always or never (it is '{options.SecureCookies}').");
        }
        CheckPage(options.ResetPasswordPage, "ResetPasswordPage", failures);
        CheckPage(options.ConfirmEmailPage, "ConfirmEmailPage", failures);
        foreach (var allowed in options.AllowedOrigins)
        {
            if (OriginCheck.Origin(allowed) is null || !Uri.TryCreate(allowed, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/")
            {
                failures.Add($"{CcxOptions.Section}:AllowedOrigins entries must be origins such as https://app.example.com, without a path (got '{allowed}').");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void CheckPage(string page, string key, List<string> failures)
    {
        var resolved = page.Replace("{base}", gatehouse.Value.PublicBaseUrl.TrimEnd('/'), StringComparison.Ordinal);
        if (OriginCheck.Origin(resolved) is null || resolved.Contains('#', StringComparison.Ordinal) || resolved.Contains('{', StringComparison.Ordinal))
        {
            failures.Add($"{CcxOptions.Section}:{key} must be an absolute http(s) URL of a page, such as https://app.example.com/reset-password or {{base}}/reset-password (it is '{page}').");
        }
    }
}

/// <summary>
/// Severalnines CCX auth-api (CONTRACTS.md "003"): the one dialect with a server-side session in
/// an HttpOnly cookie instead of bearer tokens. See README.md in this folder.
/// </summary>
internal sealed class CcxDialect(IOptions<CcxOptions> options, IOptions<GatehouseOptions> gatehouse) : IDialect
{
    public const string SurfaceName = "ccx";

    public string Name => SurfaceName;

    public string DefaultBasePath => "/ccx";

    public static IServiceCollection Add(IServiceCollection services, IConfiguration gatehouseSection) =>
        services.AddDialect<CcxDialect, CcxOptions, CcxOptionsValidator>(gatehouseSection, SurfaceName, CcxJsonContext.Default, (options, section) => options.Bind(section));

    public void Map(RouteGroupBuilder group) => group.MapCcx(CcxSettings.From(options.Value, gatehouse.Value));

    public Task WriteErrorAsync(HttpContext context, int status) => CcxMapper.Error(status, CcxMapper.StatusMessage(status)).ExecuteAsync(context);
}
