using System.Security.Cryptography;
using System.Text;
using Gatehouse.Core.Common;
using Gatehouse.Core.Security;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>
/// A fast stand-in for Argon2id (tested on its own in Security/): <c>fake$&lt;sha256&gt;</c>.
/// A hash written <c>legacy$&lt;sha256&gt;</c> verifies as needing a rehash, as an imported
/// bcrypt hash does. Counts calls, so a test can see that a refused sign-in still cost a hash.
/// </summary>
internal sealed class FakePasswordHasher : IPasswordHasher
{
    private int _hashes;
    private int _verifications;

    public int Hashes => _hashes;

    public int Verifications => _verifications;

    /// <summary>The password of the last verification, so a test can see what a dummy hash was given.</summary>
    public string? LastVerified { get; private set; }

    public static string Legacy(string password) => "legacy$" + Digest(password);

    public ValueTask<string> HashAsync(string password, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _hashes);
        return ValueTask.FromResult("fake$" + Digest(password));
    }

    public ValueTask<PasswordVerification> VerifyAsync(string? storedHash, string password, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _verifications);
        LastVerified = password;
        var digest = Digest(password);
        var result = storedHash switch
        {
            not null when storedHash.StartsWith("fake$", StringComparison.Ordinal) && SecureTokens.FixedTimeEquals(storedHash[5..], digest) => PasswordVerification.Success,
            not null when storedHash.StartsWith("legacy$", StringComparison.Ordinal) && SecureTokens.FixedTimeEquals(storedHash[7..], digest) => PasswordVerification.SuccessRehashNeeded,
            _ => PasswordVerification.Failed,
        };
        return ValueTask.FromResult(result);
    }

    private static string Digest(string password) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password)));
}
