using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Dialects.Arc;

/// <summary>Section <c>Gatehouse:Dialects:arc</c>.</summary>
internal sealed class ArcOptions : DialectOptions
{
    public const string Section = "Gatehouse:Dialects:arc";

    /// <summary>URL template of the reset link emailed through this dialect (<c>{base}</c>, <c>{token}</c>, <c>{uid}</c>); null for <c>Gatehouse:Links:PasswordReset</c>.</summary>
    public string? PasswordResetLink { get; set; }

    /// <summary>URL template of the sign-up link; null for <c>Gatehouse:Links:SignUp</c>.</summary>
    public string? SignUpLink { get; set; }

    /// <summary>
    /// Client ids (comma- or space-separated) of trusted services that may use <c>/otp-caches</c>
    /// with HTTP Basic client credentials; administrators always may.
    /// </summary>
    public string? OtpClients { get; set; }

    internal IReadOnlySet<string> OtpClientSet =>
        new HashSet<string>((OtpClients ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);
}

internal sealed class ArcOptionsValidator : IValidateOptions<ArcOptions>
{
    public ValidateOptionsResult Validate(string? name, ArcOptions options)
    {
        // The settings of a switched-off dialect cannot stop the server.
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var failures = new List<string>();
        foreach (var (key, template) in new[] { ("PasswordResetLink", options.PasswordResetLink), ("SignUpLink", options.SignUpLink) })
        {
            if (string.IsNullOrEmpty(template))
            {
                continue;
            }
            var sample = template.Replace("{base}", "https://gatehouse.example", StringComparison.Ordinal)
                .Replace("{token}", "t", StringComparison.Ordinal).Replace("{uid}", "u", StringComparison.Ordinal);
            if (!template.Contains("{token}", StringComparison.Ordinal) || OriginCheck.Origin(sample) is null || sample.Contains('{', StringComparison.Ordinal))
            {
                failures.Add($"{ArcOptions.Section}:{key} must be an http(s) URL template with {{token}}, such as {{base}}/account/reset-password?token={{token}} (it is '{template}').");
            }
        }
        if (options.OtpClientSet.FirstOrDefault(id => id.Length > 100 || id.Any(char.IsControl)) is { } bad)
        {
            failures.Add($"{ArcOptions.Section}:OtpClients must list client ids (comma- or space-separated), such as 'billing-service sms-gateway' (not '{bad}').");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The validated settings the routes use.</summary>
internal sealed record ArcSettings(string? PasswordResetLink, string? SignUpLink, IReadOnlySet<string> OtpClients);

/// <summary>
/// Dialect "arc": SourceFuse ARC authentication-service 4.0 (LoopBack 4), as pinned down by
/// CONTRACTS.md "001". Mounted at <c>/</c> by default. Social routes belong to the
/// federated-login work and are not mapped here. See README.md in this folder.
/// </summary>
internal sealed class ArcDialect(IOptions<ArcOptions> options) : IDialect
{
    public const string SurfaceName = "arc";

    public string Name => SurfaceName;

    public string DefaultBasePath => "/";

    public static IServiceCollection Add(IServiceCollection services, IConfiguration gatehouseSection) =>
        services.AddDialect<ArcDialect, ArcOptions, ArcOptionsValidator>(gatehouseSection, SurfaceName, ArcJsonContext.Default, (options, section) => options.Bind(section));

    public void Map(RouteGroupBuilder group)
    {
        var o = options.Value;
        // An empty setting means the default template, as an absent one does.
        group.MapArc(new ArcSettings(NullIfEmpty(o.PasswordResetLink), NullIfEmpty(o.SignUpLink), o.OtpClientSet));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public Task WriteErrorAsync(HttpContext context, int status) =>
        ArcMapper.Error(status, ArcMapper.DefaultMessage(status)).ExecuteAsync(context);
}
