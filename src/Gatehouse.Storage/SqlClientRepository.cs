using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

// A repository of one unit of work (SqlSession). The SQL is the same on SQLite and
// PostgreSQL unless a comment says otherwise; every value is a parameter.

internal sealed class SqlClientRepository(SqlSession db) : IClientRepository
{
    private static readonly EntityMap<Client> Map = Maps.Clients;

    public Task<Client?> FindAsync(string clientId, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM clients WHERE client_id = @p0", [clientId], cancellationToken);

    public Task<Client?> FindByNumberAsync(long number, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM clients WHERE number = @p0", [number], cancellationToken);

    public Task<Page<Client>> ListAsync(int offset, int limit, bool includeDeleted, CancellationToken cancellationToken = default) =>
        db.PageAsync(Map, includeDeleted ? "" : " WHERE deleted_at IS NULL", "number", [], offset, limit, cancellationToken);

    public void Add(Client client) => db.Add(Map, client);

    public void Remove(Client client) => db.Remove(Map, client);
}
