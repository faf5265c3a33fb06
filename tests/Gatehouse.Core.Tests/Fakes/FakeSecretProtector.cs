using System.Security.Cryptography;
using System.Text;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>
/// Not encryption: a reversible wrapping whose output never contains the plaintext, so a test
/// can tell that a value was stored protected and read back through the port.
/// </summary>
internal sealed class FakeSecretProtector : ISecretProtector
{
    private const string Prefix = "protected:";

    public string Protect(string plaintext) => Prefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(plaintext).Reverse().ToArray());

    public string Unprotect(string protectedValue) =>
        protectedValue.StartsWith(Prefix, StringComparison.Ordinal)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(protectedValue[Prefix.Length..]).Reverse().ToArray())
            : throw new CryptographicException("The value was not protected by this protector.");
}
