using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Common;

/// <summary>
/// Start-up validation for <see cref="SignInOptions"/>: each message names the key and says what
/// to set. Every rule keeps per-account throttling on: a zero delay or an unbounded failure count
/// would let an online guesser run at full speed.
/// </summary>
public sealed class SignInOptionsValidator : IValidateOptions<SignInOptions>
{
    private const string Section = "Gatehouse:SignIn";

    /// <summary>NIST SP 800-63B 5.2.2: no more than 100 consecutive failed attempts on one account.</summary>
    private const int MostConsecutiveFailures = 100;

    public ValidateOptionsResult Validate(string? name, SignInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.FreeFailures < 0)
        {
            failures.Add($"{Section}:FreeFailures must be 0 or more (it is {options.FreeFailures}); the default is 5.");
        }
        if (options.FirstDelay <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:FirstDelay must be positive, such as 00:00:01 (it is {options.FirstDelay}).");
        }
        if (options.MaximumDelay < options.FirstDelay)
        {
            failures.Add($"{Section}:MaximumDelay ({options.MaximumDelay}) is below {Section}:FirstDelay ({options.FirstDelay}); raise MaximumDelay (default 00:15:00).");
        }
        if (options.MaximumConsecutiveFailures is < 1 or > MostConsecutiveFailures)
        {
            failures.Add($"{Section}:MaximumConsecutiveFailures must be between 1 and {MostConsecutiveFailures} (NIST SP 800-63B 5.2.2; it is {options.MaximumConsecutiveFailures}); the default is 100.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
