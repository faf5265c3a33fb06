using System.Collections.Concurrent;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>The server's secrets, as <c>server_secrets</c> keeps them: the first value stored under a name wins.</summary>
internal sealed class InMemoryServerSecretStore : IServerSecretStore
{
    public ConcurrentDictionary<string, string> Rows { get; } = new(StringComparer.Ordinal);

    public Task<string> GetOrAddAsync(string name, string protectedValue, CancellationToken cancellationToken = default) =>
        Task.FromResult(Rows.GetOrAdd(name, protectedValue));
}
