using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Common;

/// <summary>
/// Start-up validation for <see cref="LinkOptions"/>: every emailed link must be an http(s) URL
/// that carries its token, or the mail would send people nowhere.
/// </summary>
public sealed class LinkOptionsValidator : IValidateOptions<LinkOptions>
{
    public ValidateOptionsResult Validate(string? name, LinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (key, template) in new[]
        {
            ("EmailConfirmation", options.EmailConfirmation),
            ("PasswordReset", options.PasswordReset),
            ("SignUp", options.SignUp),
            ("Invitation", options.Invitation),
        })
        {
            var sample = options.Format(template ?? "", "token", "uid");
            var absolute = Uri.TryCreate(sample, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
            if (template is null || !template.Contains("{token}", StringComparison.Ordinal) || !absolute || sample.Contains('{', StringComparison.Ordinal))
            {
                failures.Add($"Gatehouse:Links:{key} must be an http(s) URL template with {{token}}, such as {{base}}/account/reset-password?token={{token}} (it is '{template}').");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
