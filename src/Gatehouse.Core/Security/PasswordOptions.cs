namespace Gatehouse.Core.Security;

/// <summary>Password policy and hashing parameters (section <c>Gatehouse:Passwords</c>).</summary>
public sealed class PasswordOptions
{
    /// <summary>NIST SP 800-63B 3.1.1.2: at least 8.</summary>
    public int MinimumLength { get; set; } = 8;

    /// <summary>NIST SP 800-63B: verifiers should permit at least 64 characters.</summary>
    public int MaximumLength { get; set; } = 128;

    /// <summary>Argon2id memory in KiB (OWASP: 19 MiB).</summary>
    public int Argon2MemoryKiB { get; set; } = 19 * 1024;

    /// <summary>Argon2id iterations (OWASP: 2).</summary>
    public int Argon2Iterations { get; set; } = 2;

    /// <summary>How many hashes may run at once; 0 means the number of cores.</summary>
    public int HashingConcurrency { get; set; }
}
