namespace Gatehouse.Core.Security;

/// <summary>Outcome of checking a password against a stored hash.</summary>
public enum PasswordVerification
{
    Failed,
    Success,
    /// <summary>The password is right but the hash uses an old algorithm or old parameters: store a new hash.</summary>
    SuccessRehashNeeded,
}

/// <summary>
/// Hashes and verifies passwords. New hashes are Argon2id (PHC string form); imported bcrypt
/// and ASP.NET Core Identity PBKDF2 hashes are verified and reported as needing a rehash.
/// </summary>
public interface IPasswordHasher
{
    ValueTask<string> HashAsync(string password, CancellationToken cancellationToken = default);

    /// <summary>
    /// Verifies <paramref name="password"/> against <paramref name="storedHash"/>. A null hash
    /// (unknown user, or an account without a password) is verified against a dummy hash so that
    /// the call costs the same time as a wrong password, and always fails.
    /// </summary>
    ValueTask<PasswordVerification> VerifyAsync(string? storedHash, string password, CancellationToken cancellationToken = default);
}
