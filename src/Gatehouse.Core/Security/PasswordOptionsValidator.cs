using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Security;

/// <summary>
/// Start-up validation for <see cref="PasswordOptions"/>; each message names the configuration
/// key and says what to set it to.
/// </summary>
public sealed class PasswordOptionsValidator : IValidateOptions<PasswordOptions>
{
    private const string Section = "Gatehouse:Passwords";

    /// <summary>
    /// The floor is 1 MiB, well below OWASP's 19 MiB, so tests can hash quickly. Production
    /// should keep the 19456 KiB default or more.
    /// </summary>
    internal const int MinimumArgon2MemoryKiB = 1024;

    // Stored hashes with larger costs are refused (Argon2idParameters), so a configuration
    // beyond them would write hashes that could never verify.
    private const int MaximumArgon2MemoryKiB = Argon2idParameters.MaxMemoryKiB;
    private const int MaximumArgon2Iterations = Argon2idParameters.MaxIterations;

    public ValidateOptionsResult Validate(string? name, PasswordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (options.MinimumLength < 8)
        {
            failures.Add($"{Section}:MinimumLength must be at least 8 (NIST SP 800-63B 5.1.1.2); set it to 8 or more.");
        }

        if (options.MaximumLength < 64)
        {
            failures.Add($"{Section}:MaximumLength must be at least 64 (NIST SP 800-63B 5.1.1.2: permit at least 64 characters); set it to 64 or more.");
        }

        if (options.MaximumLength < options.MinimumLength)
        {
            failures.Add($"{Section}:MaximumLength ({options.MaximumLength}) is below {Section}:MinimumLength ({options.MinimumLength}); raise MaximumLength or lower MinimumLength.");
        }

        if (options.Argon2MemoryKiB < MinimumArgon2MemoryKiB || options.Argon2MemoryKiB > MaximumArgon2MemoryKiB)
        {
            failures.Add($"{Section}:Argon2MemoryKiB must be between {MinimumArgon2MemoryKiB} and {MaximumArgon2MemoryKiB}; use 19456 (OWASP's 19 MiB) in production. Values below that are only for tests.");
        }

        if (options.Argon2Iterations < 1 || options.Argon2Iterations > MaximumArgon2Iterations)
        {
            failures.Add($"{Section}:Argon2Iterations must be between 1 and {MaximumArgon2Iterations}; use 2 with 19456 KiB (OWASP).");
        }

        if (options.HashingConcurrency < 0)
        {
            failures.Add($"{Section}:HashingConcurrency must be 0 (one per processor) or a positive number of hashes allowed at once.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
