using Gatehouse.Core.Clients;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

// A repository of one unit of work (SqlSession). The SQL is the same on SQLite and
// PostgreSQL unless a comment says otherwise; every value is a parameter.

internal sealed class SqlUserClientRepository(SqlSession db) : IUserClientRepository
{
    private static readonly EntityMap<Client> Clients = Maps.Clients;

    public async Task<bool> IsAllowedAsync(string userId, string clientId, CancellationToken cancellationToken = default) =>
        await db.ScalarAsync("SELECT COUNT(*) FROM user_clients WHERE user_id = @p0 AND client_id = @p1", [userId, clientId], cancellationToken) > 0;

    public async Task<IReadOnlyList<Client>> ListClientsAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.QueryAsync(Clients, Tracking.None,
            $"SELECT {Clients.SelectAs("c")} FROM clients c WHERE c.deleted_at IS NULL AND EXISTS (SELECT 1 FROM user_clients u WHERE u.user_id = @p0 AND u.client_id = c.client_id) ORDER BY c.number",
            [userId], cancellationToken);

    public void Add(UserClient userClient) => db.Add(Maps.UserClients, userClient);

    public Task<int> RemoveAsync(string userId, string clientId, CancellationToken cancellationToken = default) =>
        db.ExecuteAsync("DELETE FROM user_clients WHERE user_id = @p0 AND client_id = @p1", [userId, clientId], cancellationToken);
}
