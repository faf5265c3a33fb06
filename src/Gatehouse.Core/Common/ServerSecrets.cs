namespace Gatehouse.Core.Common;

/// <summary>
/// Named secrets of the server itself, stored protected (<see cref="ISecretProtector"/>) and
/// shared by every instance on the database. Each is made once: the first value stored under a
/// name is the one every instance keeps.
/// </summary>
public interface IServerSecretStore
{
    /// <summary>
    /// The protected value stored under <paramref name="name"/>; when there is none yet,
    /// <paramref name="protectedValue"/> is stored and returned (of two instances adding at once,
    /// the first to write wins and both get its value).
    /// </summary>
    Task<string> GetOrAddAsync(string name, string protectedValue, CancellationToken cancellationToken = default);
}
