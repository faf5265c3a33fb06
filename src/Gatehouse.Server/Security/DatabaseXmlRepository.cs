using System.Xml.Linq;
using Gatehouse.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Gatehouse.Server.Security;

/// <summary>Keeps the Data Protection key ring in the database, so every instance can decrypt.</summary>
internal sealed class DatabaseXmlRepository(DataProtectionKeyStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => store.ReadAll().Select(x => XElement.Parse(x)).ToList();

    public void StoreElement(XElement element, string friendlyName) => store.Store(friendlyName, element.ToString(SaveOptions.DisableFormatting));
}
