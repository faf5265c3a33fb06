using Gatehouse.Core.Common;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

/// <summary>The server's own named secrets (<c>server_secrets</c>), written and read outside any request's unit of work.</summary>
internal sealed class SqlServerSecretStore(DatabaseConnections connections, UserChangeNotifier users, DetachedReads reads) : IServerSecretStore
{
    public async Task<string> GetOrAddAsync(string name, string protectedValue, CancellationToken cancellationToken = default)
    {
        await using (var session = new SqlSession(connections, users))
        {
            // Insert-if-absent in one statement (both providers know ON CONFLICT): of two
            // instances starting at once, the first to write wins and the other keeps its value.
            await session.ExecuteAsync("INSERT INTO server_secrets (name, protected_value) VALUES (@p0, @p1) ON CONFLICT (name) DO NOTHING",
                [name, protectedValue], cancellationToken);
        }
        return await reads.FirstAsync("SELECT protected_value FROM server_secrets WHERE name = @p0", [name], r => r.GetString(0), cancellationToken)
            ?? throw new InvalidOperationException($"The server secret {name} was stored but cannot be read back.");
    }
}
