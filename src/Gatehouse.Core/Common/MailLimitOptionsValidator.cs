using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Common;

/// <summary>Start-up validation for <see cref="MailLimitOptions"/>; the message names the key and says what to set.</summary>
public sealed class MailLimitOptionsValidator : IValidateOptions<MailLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, MailLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Below 1 no account could ever be sent a reset or confirmation link: refused rather
        // than read as "no limit".
        return options.PerAccountEmailsPerHour < 1
            ? ValidateOptionsResult.Fail($"Gatehouse:RateLimits:PerAccountEmailsPerHour must be at least 1 (it is {options.PerAccountEmailsPerHour}); the default is 5.")
            : ValidateOptionsResult.Success;
    }
}
