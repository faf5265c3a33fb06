namespace Gatehouse.Core.Security;

/// <summary>A rule a new password breaks.</summary>
public enum PasswordRule
{
    TooShort,
    TooLong,
    Common,
}

/// <summary>NIST SP 800-63B password policy: length and a blocklist, no composition rules.</summary>
public interface IPasswordPolicy
{
    /// <summary>The rules <paramref name="password"/> breaks; empty when it is acceptable.</summary>
    IReadOnlyList<PasswordRule> Check(string password);
}
