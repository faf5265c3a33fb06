using Gatehouse.Core.Common;
using Microsoft.AspNetCore.DataProtection;

namespace Gatehouse.Server.Security;

/// <summary>Encrypts secrets that must be read back, with ASP.NET Core Data Protection.</summary>
internal sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("Gatehouse.Secrets.v1");

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string Unprotect(string protectedValue) => _protector.Unprotect(protectedValue);
}
